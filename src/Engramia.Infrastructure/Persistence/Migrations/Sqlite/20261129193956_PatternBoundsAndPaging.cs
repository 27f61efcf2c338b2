using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PatternBoundsAndPaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows written before the bounds existed (an imported 1e309 score, a 2147483647 reuse count)
            // are brought into range first, so the constraints can be added over any existing data.
            migrationBuilder.Sql("""
                UPDATE memory_data SET success_score = CASE WHEN success_score > 10 THEN 10 ELSE 0 END
                WHERE NOT (success_score >= 0 AND success_score <= 10);
                UPDATE memory_data SET reuse_count = CASE WHEN reuse_count < 0 THEN 0 ELSE 1000000000 END
                WHERE NOT (reuse_count >= 0 AND reuse_count <= 1000000000);
                UPDATE memory_data SET "timestamp" = CASE WHEN "timestamp" > 253402300799 THEN 253402300799 ELSE 0 END
                WHERE NOT ("timestamp" >= 0 AND "timestamp" <= 253402300799);
                """);

            migrationBuilder.CreateIndex(
                name: "idx_memory_data_scope_newest",
                table: "memory_data",
                columns: new[] { "tenant_id", "project_id", "timestamp", "key" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_memory_data_reuse_count",
                table: "memory_data",
                sql: "reuse_count >= 0 AND reuse_count <= 1000000000");

            migrationBuilder.AddCheckConstraint(
                name: "ck_memory_data_success_score",
                table: "memory_data",
                sql: "success_score >= 0 AND success_score <= 10");

            migrationBuilder.AddCheckConstraint(
                name: "ck_memory_data_timestamp",
                table: "memory_data",
                sql: "\"timestamp\" >= 0 AND \"timestamp\" <= 253402300799");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "idx_memory_data_scope_newest",
                table: "memory_data");

            migrationBuilder.DropCheckConstraint(
                name: "ck_memory_data_reuse_count",
                table: "memory_data");

            migrationBuilder.DropCheckConstraint(
                name: "ck_memory_data_success_score",
                table: "memory_data");

            migrationBuilder.DropCheckConstraint(
                name: "ck_memory_data_timestamp",
                table: "memory_data");
        }
    }
}
