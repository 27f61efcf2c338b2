using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Engramia.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddBilling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "billing_subscriptions",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    stripe_customer_id = table.Column<string>(type: "TEXT", nullable: true),
                    stripe_subscription_id = table.Column<string>(type: "TEXT", nullable: true),
                    plan_tier = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "developer"),
                    billing_interval = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "month"),
                    status = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "active"),
                    eval_runs_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    patterns_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    projects_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    current_period_start = table.Column<string>(type: "TEXT", nullable: true),
                    current_period_end = table.Column<string>(type: "TEXT", nullable: true),
                    past_due_since = table.Column<string>(type: "TEXT", nullable: true),
                    cancel_at_period_end = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("billing_subscriptions_pkey", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "overage_settings",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    metric = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    price_per_unit_cents = table.Column<int>(type: "INTEGER", nullable: false),
                    unit_size = table.Column<int>(type: "INTEGER", nullable: false),
                    budget_cap_cents = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("overage_settings_pkey", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "processed_webhook_events",
                columns: table => new
                {
                    stripe_event_id = table.Column<string>(type: "TEXT", nullable: false),
                    event_type = table.Column<string>(type: "TEXT", nullable: false),
                    processed_at = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("processed_webhook_events_pkey", x => x.stripe_event_id);
                });

            migrationBuilder.CreateTable(
                name: "usage_counters",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", nullable: false),
                    metric = table.Column<string>(type: "TEXT", nullable: false),
                    year = table.Column<short>(type: "INTEGER", nullable: false),
                    month = table.Column<short>(type: "INTEGER", nullable: false),
                    count = table.Column<int>(type: "INTEGER", nullable: false, defaultValue: 0)
                },
                constraints: table =>
                {
                    table.PrimaryKey("usage_counters_pkey", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "billing_subscriptions_stripe_customer_id_key",
                table: "billing_subscriptions",
                column: "stripe_customer_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "billing_subscriptions_stripe_subscription_id_key",
                table: "billing_subscriptions",
                column: "stripe_subscription_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "billing_subscriptions_tenant_id_key",
                table: "billing_subscriptions",
                column: "tenant_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "uq_overage_settings",
                table: "overage_settings",
                columns: new[] { "tenant_id", "metric" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "uq_usage_counters",
                table: "usage_counters",
                columns: new[] { "tenant_id", "metric", "year", "month" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "billing_subscriptions");

            migrationBuilder.DropTable(
                name: "overage_settings");

            migrationBuilder.DropTable(
                name: "processed_webhook_events");

            migrationBuilder.DropTable(
                name: "usage_counters");
        }
    }
}
