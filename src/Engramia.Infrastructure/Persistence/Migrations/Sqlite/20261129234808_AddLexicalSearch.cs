using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// Hybrid recall's lexical half (SqliteLexicalIndex): an FTS5 index of the task texts whose
    /// content stays in memory_data (external content, rows addressed by rowid), kept in step by
    /// triggers. A later migration that rebuilds memory_data (EF's SQLite table rebuild) drops the
    /// triggers and renumbers rowids: it must recreate them and run the 'rebuild' below again (the
    /// hybrid conformance tests fail otherwise).
    /// </summary>
    public partial class AddLexicalSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                                 CREATE VIRTUAL TABLE memory_fts USING fts5(
                                     task, tenant_id UNINDEXED, project_id UNINDEXED, key UNINDEXED,
                                     content = 'memory_data', content_rowid = 'rowid', tokenize = 'porter unicode61');
                                 """);
            migrationBuilder.Sql("INSERT INTO memory_fts (memory_fts) VALUES ('rebuild');");
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_fts_insert AFTER INSERT ON memory_data BEGIN
                                     INSERT INTO memory_fts (rowid, task, tenant_id, project_id, key)
                                     VALUES (new.rowid, new.task, new.tenant_id, new.project_id, new.key);
                                 END;
                                 """);
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_fts_delete AFTER DELETE ON memory_data BEGIN
                                     INSERT INTO memory_fts (memory_fts, rowid, task, tenant_id, project_id, key)
                                     VALUES ('delete', old.rowid, old.task, old.tenant_id, old.project_id, old.key);
                                 END;
                                 """);
            migrationBuilder.Sql("""
                                 CREATE TRIGGER memory_fts_update AFTER UPDATE OF task, tenant_id, project_id, key ON memory_data BEGIN
                                     INSERT INTO memory_fts (memory_fts, rowid, task, tenant_id, project_id, key)
                                     VALUES ('delete', old.rowid, old.task, old.tenant_id, old.project_id, old.key);
                                     INSERT INTO memory_fts (rowid, task, tenant_id, project_id, key)
                                     VALUES (new.rowid, new.task, new.tenant_id, new.project_id, new.key);
                                 END;
                                 """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_fts_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_fts_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memory_fts_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS memory_fts;");
        }
    }
}
