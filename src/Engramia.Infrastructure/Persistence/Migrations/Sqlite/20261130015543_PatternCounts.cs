using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// Each scope's pattern count, kept by row triggers on memory_data so learn and import read one
    /// row instead of counting the scope. Like the FTS5 triggers (AddLexicalSearch), a later
    /// migration that rebuilds memory_data drops these triggers and must recreate them.
    /// </summary>
    public partial class PatternCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "pattern_counts",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    patterns = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pattern_counts", x => new { x.tenant_id, x.project_id });
                });

            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_data_count_insert AFTER INSERT ON memory_data BEGIN
                                     INSERT INTO pattern_counts (tenant_id, project_id, patterns) VALUES (new.tenant_id, new.project_id, 1)
                                     ON CONFLICT (tenant_id, project_id) DO UPDATE SET patterns = patterns + 1;
                                 END;
                                 """);
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_data_count_delete AFTER DELETE ON memory_data BEGIN
                                     UPDATE pattern_counts SET patterns = patterns - 1 WHERE tenant_id = old.tenant_id AND project_id = old.project_id;
                                 END;
                                 """);
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_data_count_move AFTER UPDATE OF tenant_id, project_id ON memory_data
                                 WHEN old.tenant_id IS NOT new.tenant_id OR old.project_id IS NOT new.project_id BEGIN
                                     UPDATE pattern_counts SET patterns = patterns - 1 WHERE tenant_id = old.tenant_id AND project_id = old.project_id;
                                     INSERT INTO pattern_counts (tenant_id, project_id, patterns) VALUES (new.tenant_id, new.project_id, 1)
                                     ON CONFLICT (tenant_id, project_id) DO UPDATE SET patterns = patterns + 1;
                                 END;
                                 """);
            migrationBuilder.Sql("INSERT INTO pattern_counts (tenant_id, project_id, patterns) SELECT tenant_id, project_id, count(*) FROM memory_data GROUP BY tenant_id, project_id;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_data_count_move;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_data_count_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_data_count_insert;");
            migrationBuilder.DropTable(
                name: "pattern_counts");
        }
    }
}
