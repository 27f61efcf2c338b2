using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: true),
                    key_id = table.Column<string>(type: "TEXT", nullable: true),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    resource_type = table.Column<string>(type: "TEXT", nullable: true),
                    resource_id = table.Column<string>(type: "TEXT", nullable: true),
                    ip_address = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    detail = table.Column<string>(type: "TEXT", nullable: true),
                    actor_user_id = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "eval_records",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    agent_name = table.Column<string>(type: "TEXT", nullable: false),
                    task = table.Column<string>(type: "TEXT", nullable: false),
                    scores = table.Column<string>(type: "TEXT", nullable: false),
                    overall = table.Column<double>(type: "REAL", nullable: false),
                    feedback = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_eval_records", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_clusters",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    pattern = table.Column<string>(type: "TEXT", nullable: false),
                    count = table.Column<int>(type: "INTEGER", nullable: false),
                    score = table.Column<double>(type: "REAL", nullable: false),
                    last_seen = table.Column<long>(type: "INTEGER", nullable: false),
                    last_decayed = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_clusters", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    key_id = table.Column<string>(type: "TEXT", nullable: true),
                    operation = table.Column<string>(type: "TEXT", nullable: false),
                    @params = table.Column<string>(name: "params", type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "pending"),
                    result = table.Column<string>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    attempts = table.Column<short>(type: "INTEGER", nullable: false),
                    max_attempts = table.Column<short>(type: "INTEGER", nullable: false, defaultValue: (short)3),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    scheduled_at = table.Column<long>(type: "INTEGER", nullable: true),
                    started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    request_id = table.Column<string>(type: "TEXT", nullable: true),
                    max_execution_seconds = table.Column<int>(type: "INTEGER", nullable: true),
                    lease_owner = table.Column<string>(type: "TEXT", nullable: true),
                    lease_expires_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "memory_data",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "default"),
                    project_id = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "default"),
                    key = table.Column<string>(type: "TEXT", nullable: false),
                    task = table.Column<string>(type: "TEXT", nullable: false),
                    design = table.Column<string>(type: "TEXT", nullable: false),
                    success_score = table.Column<double>(type: "REAL", nullable: false),
                    reuse_count = table.Column<int>(type: "INTEGER", nullable: false),
                    timestamp = table.Column<double>(type: "REAL", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    classification = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "internal"),
                    source = table.Column<string>(type: "TEXT", nullable: true),
                    run_id = table.Column<string>(type: "TEXT", nullable: true),
                    author = table.Column<string>(type: "TEXT", nullable: true),
                    redacted = table.Column<bool>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    extras = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_data", x => new { x.tenant_id, x.project_id, x.key });
                });

            migrationBuilder.CreateTable(
                name: "memory_embeddings",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", nullable: false),
                    embedding = table.Column<byte[]>(type: "BLOB", nullable: false),
                    dim = table.Column<int>(type: "INTEGER", nullable: false),
                    model = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_memory_embeddings", x => new { x.tenant_id, x.project_id, x.key });
                });

            migrationBuilder.CreateTable(
                name: "run_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    timestamp = table.Column<double>(type: "REAL", nullable: false),
                    success = table.Column<bool>(type: "INTEGER", nullable: false),
                    eval_score = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_history", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "scope_metrics",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    runs = table.Column<long>(type: "INTEGER", nullable: false),
                    success = table.Column<long>(type: "INTEGER", nullable: false),
                    failures = table.Column<long>(type: "INTEGER", nullable: false),
                    pipeline_reuse = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_scope_metrics", x => new { x.tenant_id, x.project_id });
                });

            migrationBuilder.CreateTable(
                name: "service_flags",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_service_flags", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "skill_registry",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    pattern_key = table.Column<string>(type: "TEXT", nullable: false),
                    skills = table.Column<string>(type: "TEXT", nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_skill_registry", x => new { x.tenant_id, x.project_id, x.pattern_key });
                });

            migrationBuilder.CreateTable(
                name: "tenants",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    plan_tier = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "developer"),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    retention_days = table.Column<int>(type: "INTEGER", nullable: true),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tenants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "projects",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    max_patterns = table.Column<int>(type: "INTEGER", nullable: false, defaultValue: 10000),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    retention_days = table.Column<int>(type: "INTEGER", nullable: true),
                    default_classification = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "internal"),
                    redaction_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_projects", x => x.id);
                    table.ForeignKey(
                        name: "FK_projects_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    key_prefix = table.Column<string>(type: "TEXT", nullable: false),
                    key_hash = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "editor"),
                    max_patterns = table.Column<int>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "FK_api_keys_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_api_keys_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_project_id",
                table: "api_keys",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "api_keys_key_hash_key",
                table: "api_keys",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "idx_api_keys_scope",
                table: "api_keys",
                columns: new[] { "tenant_id", "project_id" });

            migrationBuilder.CreateIndex(
                name: "idx_audit_log_tenant",
                table: "audit_log",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "idx_eval_records_agent",
                table: "eval_records",
                columns: new[] { "tenant_id", "project_id", "agent_name" });

            migrationBuilder.CreateIndex(
                name: "idx_eval_records_scope",
                table: "eval_records",
                columns: new[] { "tenant_id", "project_id", "id" });

            migrationBuilder.CreateIndex(
                name: "idx_feedback_clusters_scope",
                table: "feedback_clusters",
                columns: new[] { "tenant_id", "project_id" });

            migrationBuilder.CreateIndex(
                name: "idx_jobs_poll",
                table: "jobs",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "idx_jobs_tenant",
                table: "jobs",
                columns: new[] { "tenant_id", "project_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "idx_memory_data_classification",
                table: "memory_data",
                columns: new[] { "tenant_id", "classification" });

            migrationBuilder.CreateIndex(
                name: "idx_memory_data_expires",
                table: "memory_data",
                column: "expires_at",
                filter: "expires_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "idx_memory_data_scope",
                table: "memory_data",
                columns: new[] { "tenant_id", "project_id" });

            migrationBuilder.CreateIndex(
                name: "idx_memory_embeddings_scope",
                table: "memory_embeddings",
                columns: new[] { "tenant_id", "project_id", "dim" });

            migrationBuilder.CreateIndex(
                name: "IX_projects_tenant_id",
                table: "projects",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "idx_run_history_scope",
                table: "run_history",
                columns: new[] { "tenant_id", "project_id", "id" });

            migrationBuilder.CreateIndex(
                name: "idx_skill_registry_order",
                table: "skill_registry",
                columns: new[] { "tenant_id", "project_id", "sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "eval_records");

            migrationBuilder.DropTable(
                name: "feedback_clusters");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "memory_data");

            migrationBuilder.DropTable(
                name: "memory_embeddings");

            migrationBuilder.DropTable(
                name: "run_history");

            migrationBuilder.DropTable(
                name: "scope_metrics");

            migrationBuilder.DropTable(
                name: "service_flags");

            migrationBuilder.DropTable(
                name: "skill_registry");

            migrationBuilder.DropTable(
                name: "projects");

            migrationBuilder.DropTable(
                name: "tenants");
        }
    }
}
