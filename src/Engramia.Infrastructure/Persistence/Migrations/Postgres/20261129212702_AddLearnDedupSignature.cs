using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddLearnDedupSignature : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "word_count",
                table: "memory_data",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "word_set_hash",
                table: "memory_data",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "pattern_dedup_tokens",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    token = table.Column<long>(type: "bigint", nullable: false),
                    key = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pattern_dedup_tokens", x => new { x.tenant_id, x.project_id, x.token, x.key });
                    table.ForeignKey(
                        name: "FK_pattern_dedup_tokens_memory_data_tenant_id_project_id_key",
                        columns: x => new { x.tenant_id, x.project_id, x.key },
                        principalTable: "memory_data",
                        principalColumns: new[] { "tenant_id", "project_id", "key" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "idx_memory_data_word_set",
                table: "memory_data",
                columns: new[] { "tenant_id", "project_id", "word_set_hash" });

            migrationBuilder.CreateIndex(
                name: "idx_pattern_dedup_tokens_pattern",
                table: "pattern_dedup_tokens",
                columns: new[] { "tenant_id", "project_id", "key" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pattern_dedup_tokens");

            migrationBuilder.DropIndex(
                name: "idx_memory_data_word_set",
                table: "memory_data");

            migrationBuilder.DropColumn(
                name: "word_count",
                table: "memory_data");

            migrationBuilder.DropColumn(
                name: "word_set_hash",
                table: "memory_data");
        }
    }
}
