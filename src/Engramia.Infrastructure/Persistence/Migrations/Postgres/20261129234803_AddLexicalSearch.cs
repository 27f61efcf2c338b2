using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Postgres
{
    /// <summary>
    /// Hybrid recall's lexical half (PostgresLexicalIndex): a GIN index on the task's English
    /// text-search vector. An expression index, so the model and the rows are unchanged; building
    /// it reads every pattern once (plain CREATE INDEX: migrations run in a transaction).
    /// </summary>
    public partial class AddLexicalSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS idx_memory_data_task_fts ON memory_data USING gin (to_tsvector('english', task));");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS idx_memory_data_task_fts;");
        }
    }
}
