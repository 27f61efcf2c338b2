using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Audit;
using Engramia.Domain.Billing;
using Engramia.Domain.Jobs;
using Engramia.Domain.Memory;
using Engramia.Domain.Operations;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Persistence.Dedup;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence;

/// <summary>
/// The one model shared by both providers. Provider specifics (pgvector, json columns, SQLite
/// value conversions) live in <see cref="PostgresDbContext"/> and <see cref="SqliteDbContext"/>,
/// which own their migration folders:
/// <code>
/// dotnet ef migrations add NAME -p src/Engramia.Infrastructure -s src/Engramia.Infrastructure --context PostgresDbContext -o Persistence/Migrations/Postgres
/// dotnet ef migrations add NAME -p src/Engramia.Infrastructure -s src/Engramia.Infrastructure --context SqliteDbContext -o Persistence/Migrations/Sqlite
/// </code>
/// </summary>
public abstract class EngramiaDbContext(DbContextOptions options) : DbContext(options), IApplicationDbContext
{
    public DbSet<Pattern> Patterns => Set<Pattern>();
    public DbSet<PatternEmbedding> Embeddings => Set<PatternEmbedding>();
    public DbSet<EvalRecord> EvalRecords => Set<EvalRecord>();
    public DbSet<FeedbackCluster> FeedbackClusters => Set<FeedbackCluster>();
    public DbSet<SkillRegistration> Skills => Set<SkillRegistration>();
    public DbSet<ScopeMetrics> ScopeMetrics => Set<ScopeMetrics>();
    public DbSet<PatternCount> PatternCounts => Set<PatternCount>();
    public DbSet<RunRecord> RunRecords => Set<RunRecord>();
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<ServiceFlag> ServiceFlags => Set<ServiceFlag>();
    public DbSet<BillingSubscription> BillingSubscriptions => Set<BillingSubscription>();
    public DbSet<UsageCounter> UsageCounters => Set<UsageCounter>();
    public DbSet<OverageSetting> OverageSettings => Set<OverageSetting>();
    public DbSet<ProcessedWebhookEvent> ProcessedWebhookEvents => Set<ProcessedWebhookEvent>();

    /// <summary>True when the context talks to PostgreSQL (vector search in the database).</summary>
    public abstract bool IsPostgres { get; }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        await DedupSignatureSync.ApplyAsync(this, cancellationToken);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        DedupSignatureSync.Apply(this);
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EngramiaDbContext).Assembly);
        SnakeCaseNames.Apply(modelBuilder);
    }
}
