using System.CommandLine;
using Engramia.Domain.Audit;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Cli;

/// <summary>
/// <c>keys create|list|revoke</c>: key administration straight on the database, for operators
/// without HTTP access (first key, lost owner key, incident response). The new secret is printed
/// once, alone on the last line of stdout, so scripts can take it with <c>tail -n1</c>.
/// </summary>
internal static class KeysCommands
{
    public static Command Create(Func<ServiceProvider> services)
    {
        var keys = new Command("keys", "Create, list and revoke API keys directly in the database.");

        var tenant = new Option<string>("--tenant") { Description = "Tenant id (created when missing).", Required = true };
        var project = new Option<string>("--project") { Description = "Project id (created when missing).", Required = true };
        var role = new Option<string>("--role") { Description = "owner, admin, editor or reader.", Required = true };
        var name = new Option<string>("--name") { Description = "Key name (1-100 characters).", Required = true };
        var maxPatterns = new Option<int?>("--max-patterns") { Description = "The key's own pattern cap (1-1000000)." };
        var create = new Command("create", "Create a key; prints its secret once, on the last line.") { tenant, project, role, name, maxPatterns };
        create.SetAction((parse, ct) => Run(services, async (db, clock, output) =>
        {
            var tenantId = parse.GetValue(tenant)!.Trim();
            var projectId = parse.GetValue(project)!.Trim();
            var keyName = parse.GetValue(name)!.Trim();
            var cap = parse.GetValue(maxPatterns);
            if (!Roles.TryParse(parse.GetValue(role), out var keyRole))
            {
                return Fail($"--role must be owner, admin, editor or reader (got '{parse.GetValue(role)}').");
            }

            if (tenantId.Length == 0 || projectId.Length == 0 || keyName.Length is 0 or > 100)
            {
                return Fail("--tenant and --project must not be blank; --name must be 1-100 characters.");
            }

            if (cap is < 1 or > 1_000_000)
            {
                return Fail("--max-patterns must be between 1 and 1000000.");
            }

            var now = clock.GetUtcNow();
            if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
            {
                db.Tenants.Add(new Tenant { Id = tenantId, Name = tenantId, CreatedAt = now });
                output.WriteLine($"Created tenant {tenantId}");
            }

            var existing = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
            if (existing is not null && existing.TenantId != tenantId)
            {
                return Fail($"Project '{projectId}' belongs to tenant '{existing.TenantId}'; project ids are unique across tenants.");
            }

            if (existing is null)
            {
                db.Projects.Add(new Project { Id = projectId, TenantId = tenantId, Name = projectId, CreatedAt = now });
                output.WriteLine($"Created project {projectId}");
            }

            var secret = ApiKeySecret.Generate();
            var key = new ApiKey
            {
                Id = Guid.NewGuid().ToString(),
                TenantId = tenantId,
                ProjectId = projectId,
                Name = keyName,
                KeyPrefix = ApiKeySecret.Prefix(secret),
                KeyHash = ApiKeySecret.Hash(secret),
                Role = keyRole.ToWire(),
                MaxPatterns = cap,
                CreatedAt = now,
            };
            db.ApiKeys.Add(key);
            db.AuditLog.Add(Audit(key, "key_created", now, $$"""{"role": "{{key.Role}}", "name": {{System.Text.Json.JsonSerializer.Serialize(key.Name)}}, "source": "cli"}"""));
            await db.SaveChangesAsync(ct);
            output.WriteLine($"Created key {key.Id} ({key.Role}) in {tenantId}/{projectId}, prefix {key.KeyPrefix}. The secret below is shown once:");
            output.WriteLine(secret);
            return 0;
        }, ct));

        var listTenant = new Option<string>("--tenant") { Description = "Tenant id.", Required = true };
        var listProject = new Option<string?>("--project") { Description = "Only this project." };
        var list = new Command("list", "List a tenant's keys (never secrets), newest first.") { listTenant, listProject };
        list.SetAction((parse, ct) => Run(services, async (db, clock, output) =>
        {
            var tenantId = parse.GetValue(listTenant)!;
            var projectId = parse.GetValue(listProject);
            var query = db.ApiKeys.AsNoTracking().Where(k => k.TenantId == tenantId);
            if (projectId is not null)
            {
                query = query.Where(k => k.ProjectId == projectId);
            }

            var rows = await query.OrderByDescending(k => k.CreatedAt).ToListAsync(ct);
            output.WriteLine("id\tproject\tname\trole\tprefix\tcreated_at\tstate");
            foreach (var k in rows)
            {
                var state = k.RevokedAt is not null ? "revoked" : k.ExpiresAt is { } e && e <= clock.GetUtcNow() ? "expired" : "active";
                output.WriteLine($"{k.Id}\t{k.ProjectId}\t{k.Name}\t{k.Role}\t{k.KeyPrefix}\t{k.CreatedAt:O}\t{state}");
            }

            return 0;
        }, ct));

        var keyId = new Argument<string>("id") { Description = "The key id (from 'keys list')." };
        var revoke = new Command("revoke", "Revoke a key. Running services stop accepting it within the key cache lifetime (10 s).") { keyId };
        revoke.SetAction((parse, ct) => Run(services, async (db, clock, output) =>
        {
            var id = parse.GetValue(keyId)!;
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
            if (key is null)
            {
                return Fail("Key not found.");
            }

            if (key.RevokedAt is not null)
            {
                return Fail("Key is already revoked.");
            }

            var now = clock.GetUtcNow();
            key.Revoke(now);
            db.AuditLog.Add(Audit(key, "key_revoked", now, """{"source": "cli"}"""));
            await db.SaveChangesAsync(ct);
            output.WriteLine($"Revoked key {key.Id} ({key.Name}, {key.Role}) in {key.TenantId}/{key.ProjectId}");
            return 0;
        }, ct));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private static AuditEntry Audit(ApiKey key, string action, DateTimeOffset now, string detail) => new()
    {
        TenantId = key.TenantId,
        ProjectId = key.ProjectId,
        Action = action,
        ResourceType = "api_key",
        ResourceId = key.Id,
        CreatedAt = now,
        Detail = detail,
    };

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }

    private static async Task<int> Run(Func<ServiceProvider> services, Func<EngramiaDbContext, TimeProvider, TextWriter, Task<int>> action, CancellationToken ct)
    {
        await using var provider = services();
        await using var scope = provider.CreateAsyncScope();
        try
        {
            return await action(scope.ServiceProvider.GetRequiredService<EngramiaDbContext>(), scope.ServiceProvider.GetRequiredService<TimeProvider>(), Console.Out);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: database operation failed: {ex.Message}");
            return 1;
        }
        finally
        {
            _ = ct;
        }
    }
}
