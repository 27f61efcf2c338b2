using Engramia.Application.Common.Context;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Common;
using Engramia.Domain.Jobs;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Jobs;

/// <summary>
/// The job's caller, as of now: no key id → anonymous in the job's scope (dev / no-auth submissions);
/// an identity provider's token → its subject with the role recorded at submission, while mode
/// <c>oidc</c> is still on; a database key → that key's current role (a key revoked or expired since
/// submission stops the job); the static <c>env-key</c> → <c>ENGRAMIA_ENV_AUTH_ROLE</c>. Any other
/// credential cannot be re-established in the background and the job fails with 401's error.
/// </summary>
internal sealed class JobPrincipalResolver(IApplicationDbContext db, IConfiguration configuration, AuthSettings auth, TimeProvider clock) : IJobPrincipalResolver
{
    public const string EnvKeyId = "env-key";

    public async Task ApplyAsync(Job job, RequestContext context, CancellationToken cancellationToken)
    {
        var scope = new Scope(job.TenantId, job.ProjectId);
        context.RequestId = job.RequestId;
        if (job.KeyId is null)
        {
            context.SetAnonymous(scope);
            return;
        }

        if (job.SubmitterRole is { } submitterRole)
        {
            if (auth.Oidc is null)
            {
                throw new UnauthorizedException("The token that submitted this job is no longer accepted: OIDC sign-in is off.");
            }

            if (!Roles.TryParse(submitterRole, out var tokenRole))
            {
                throw new ForbiddenException($"Role '{submitterRole}' does not have any permission.");
            }

            context.SetTokenPrincipal(scope, job.KeyId, tokenRole);
            return;
        }

        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == job.KeyId, cancellationToken);
        if (key is not null)
        {
            if (!key.IsActive(clock.GetUtcNow()))
            {
                throw new UnauthorizedException("The API key that submitted this job has been revoked or has expired.");
            }

            if (!key.Role.IsKnown())
            {
                throw new ForbiddenException("The key's stored role does not have any permission.");
            }

            context.SetPrincipal(scope, key.Id, key.Role, key.MaxPatterns);
            return;
        }

        if (job.KeyId == EnvKeyId)
        {
            var envRole = Roles.TryParse(configuration.Text("ENGRAMIA_ENV_AUTH_ROLE"), out var parsed) ? parsed : Role.Owner;
            context.SetPrincipal(scope, EnvKeyId, envRole, null);
            return;
        }

        throw new UnauthorizedException("The credential that submitted this job cannot be re-established for background execution.");
    }
}
