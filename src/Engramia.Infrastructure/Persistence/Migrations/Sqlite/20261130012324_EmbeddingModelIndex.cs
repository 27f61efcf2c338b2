using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmbeddingModelIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "idx_memory_embeddings_model",
                table: "memory_embeddings",
                columns: new[] { "tenant_id", "project_id", "model" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "idx_memory_embeddings_model",
                table: "memory_embeddings");
        }
    }
}
