using Engramia.Domain.Audit;
using Engramia.Domain.Billing;
using Engramia.Domain.Jobs;
using Engramia.Domain.Memory;
using Engramia.Domain.Operations;
using Engramia.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Engramia.Application.Common.Interfaces;

/// <summary>The unit of persistence handlers use directly (no repository layer on top of EF Core).</summary>
public interface IApplicationDbContext
{
    DbSet<Pattern> Patterns { get; }
    DbSet<EvalRecord> EvalRecords { get; }
    DbSet<FeedbackCluster> FeedbackClusters { get; }
    DbSet<SkillRegistration> Skills { get; }
    DbSet<ScopeMetrics> ScopeMetrics { get; }
    DbSet<PatternCount> PatternCounts { get; }
    DbSet<RunRecord> RunRecords { get; }
    DbSet<Tenant> Tenants { get; }
    DbSet<Project> Projects { get; }
    DbSet<ApiKey> ApiKeys { get; }
    DbSet<AuditEntry> AuditLog { get; }
    DbSet<Job> Jobs { get; }
    DbSet<ServiceFlag> ServiceFlags { get; }
    DbSet<BillingSubscription> BillingSubscriptions { get; }
    DbSet<UsageCounter> UsageCounters { get; }
    DbSet<OverageSetting> OverageSettings { get; }
    DbSet<ProcessedWebhookEvent> ProcessedWebhookEvents { get; }

    DatabaseFacade Database { get; }

    ChangeTracker ChangeTracker { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken);
}
