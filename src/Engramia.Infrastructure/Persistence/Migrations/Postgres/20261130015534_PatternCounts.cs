using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Postgres
{
    /// <summary>
    /// Each scope's pattern count, kept by triggers on memory_data so learn and import read one row
    /// instead of counting the scope: statement-level for inserts and deletes (one update per scope
    /// per statement, also for COPY and bulk deletes) and for updates (net change per scope, written
    /// only when a statement moved rows between scopes). Row-level triggers would update one counter
    /// row once per pattern in a bulk statement, each update walking the versions the transaction
    /// left before it (quadratic: a 900,000-row move did not finish in ten minutes). The backfill runs with writes to memory_data blocked, so no insert
    /// falls between the count and the triggers.
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
                    tenant_id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    patterns = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pattern_counts", x => new { x.tenant_id, x.project_id });
                });

            migrationBuilder.Sql("LOCK TABLE memory_data IN SHARE MODE;");
            migrationBuilder.Sql("""
                                 CREATE FUNCTION engramia_count_patterns_added() RETURNS trigger LANGUAGE plpgsql AS $$
                                 BEGIN
                                     INSERT INTO pattern_counts (tenant_id, project_id, patterns)
                                     SELECT tenant_id, project_id, count(*) FROM added_rows GROUP BY tenant_id, project_id
                                     ON CONFLICT (tenant_id, project_id) DO UPDATE SET patterns = pattern_counts.patterns + EXCLUDED.patterns;
                                     RETURN NULL;
                                 END $$;
                                 """);
            migrationBuilder.Sql("""
                                 CREATE FUNCTION engramia_count_patterns_removed() RETURNS trigger LANGUAGE plpgsql AS $$
                                 BEGIN
                                     UPDATE pattern_counts c SET patterns = c.patterns - r.n
                                     FROM (SELECT tenant_id, project_id, count(*) AS n FROM removed_rows GROUP BY tenant_id, project_id) r
                                     WHERE c.tenant_id = r.tenant_id AND c.project_id = r.project_id;
                                     RETURN NULL;
                                 END $$;
                                 """);
            migrationBuilder.Sql("""
                                 CREATE FUNCTION engramia_count_patterns_moved() RETURNS trigger LANGUAGE plpgsql AS $$
                                 BEGIN
                                     INSERT INTO pattern_counts (tenant_id, project_id, patterns)
                                     SELECT tenant_id, project_id, sum(n) FROM (
                                         SELECT tenant_id, project_id, -1 AS n FROM removed_rows
                                         UNION ALL SELECT tenant_id, project_id, 1 FROM added_rows) d
                                     GROUP BY tenant_id, project_id HAVING sum(n) <> 0
                                     ON CONFLICT (tenant_id, project_id) DO UPDATE SET patterns = pattern_counts.patterns + EXCLUDED.patterns;
                                     RETURN NULL;
                                 END $$;
                                 """);
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_data_count_insert AFTER INSERT ON memory_data
                                 REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION engramia_count_patterns_added();
                                 """);
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_data_count_delete AFTER DELETE ON memory_data
                                 REFERENCING OLD TABLE AS removed_rows FOR EACH STATEMENT EXECUTE FUNCTION engramia_count_patterns_removed();
                                 """);
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_data_count_move AFTER UPDATE ON memory_data
                                 REFERENCING OLD TABLE AS removed_rows NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE FUNCTION engramia_count_patterns_moved();
                                 """);
            migrationBuilder.Sql("INSERT INTO pattern_counts (tenant_id, project_id, patterns) SELECT tenant_id, project_id, count(*) FROM memory_data GROUP BY tenant_id, project_id;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_data_count_move ON memory_data;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_data_count_delete ON memory_data;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_data_count_insert ON memory_data;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS engramia_count_patterns_moved();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS engramia_count_patterns_removed();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS engramia_count_patterns_added();");
            migrationBuilder.DropTable(
                name: "pattern_counts");
        }
    }
}
