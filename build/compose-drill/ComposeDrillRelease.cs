using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Engramia.Infrastructure.Persistence.Migrations.Postgres;

/// <summary>
/// Test-only migration: build/compose-drill.sh copies this file into a scratch copy of the sources to
/// build its newer image (IMAGE_TAG), so the drill's deploy applies a real migration and its rollback
/// reverts one. Never part of the repository's projects. The id sorts after every real migration.
/// </summary>
[DbContext(typeof(PostgresDbContext))]
[Migration("29991231000000_ComposeDrillRelease")]
public sealed class ComposeDrillRelease : Migration
{
    /// <summary>An additive change (expand): a table the older image never reads.</summary>
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("CREATE TABLE compose_drill_release (id integer PRIMARY KEY, note text NOT NULL); "
            + "INSERT INTO compose_drill_release VALUES (1, 'applied by the compose drill release');");

    /// <summary>What <c>db downgrade -1</c> runs on the rollback.</summary>
    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("DROP TABLE compose_drill_release;");
}
