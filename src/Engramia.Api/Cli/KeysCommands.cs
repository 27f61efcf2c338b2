using System.CommandLine;
using Engramia.Application.Keys.CreateKey;
using Engramia.Application.Keys.ListTenantKeys;
using Engramia.Application.Keys.LocateKey;
using Engramia.Application.Keys.RevokeKey;
using Engramia.Domain.Common;

namespace Engramia.Api.Cli;

/// <summary>
/// <c>keys create|list|revoke</c>: key administration for operators without HTTP access (first key,
/// lost owner key, incident response), sent as the same commands as <c>/v1/keys</c> under the
/// operator principal. The new secret is printed once, alone on the last line of stdout, so scripts
/// can take it with <c>tail -n1</c>.
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
        var create = new Command("create", "Create a key (and its tenant and project, in one transaction); prints its secret once, on the last line.")
        {
            tenant, project, role, name, maxPatterns,
        };
        create.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var tenantId = parse.GetValue(tenant)!.Trim();
            var projectId = parse.GetValue(project)!.Trim();
            if (tenantId.Length == 0 || projectId.Length == 0)
            {
                return OperatorSession.Fail("--tenant and --project must not be blank.");
            }

            var command = new CreateKeyCommand(parse.GetValue(name)!.Trim(), parse.GetValue(role)!.Trim().ToLowerInvariant(), parse.GetValue(maxPatterns), null);
            var key = await session.SendAsync(new Scope(tenantId, projectId), command, ct);
            output.WriteLine($"Created key {key.Id} ({key.Role}) in {key.TenantId}/{key.ProjectId}, prefix {key.KeyPrefix}. The secret below is shown once:");
            output.WriteLine(key.Key);
            return 0;
        }));

        var listTenant = new Option<string>("--tenant") { Description = "Tenant id.", Required = true };
        var listProject = new Option<string?>("--project") { Description = "Only this project." };
        var list = new Command("list", "List a tenant's keys (never secrets), newest first.") { listTenant, listProject };
        list.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var tenantId = parse.GetValue(listTenant)!;
            var projectId = parse.GetValue(listProject);
            var listed = await session.SendAsync(new Scope(tenantId, projectId ?? Scope.DefaultId), new ListTenantKeysQuery(tenantId, projectId), ct);
            var now = TimeProvider.System.GetUtcNow();
            output.WriteLine("id\tproject\tname\trole\tprefix\tcreated_at\tstate");
            foreach (var k in listed.Keys)
            {
                var state = k.RevokedAt is not null ? "revoked" : k.ExpiresAt is { } e && e <= now ? "expired" : "active";
                output.WriteLine($"{k.Id}\t{k.ProjectId}\t{k.Name}\t{k.Role}\t{k.KeyPrefix}\t{k.CreatedAt:O}\t{state}");
            }

            return 0;
        }));

        var keyId = new Argument<string>("id") { Description = "The key id (from 'keys list')." };
        var revoke = new Command("revoke", "Revoke a key. Running services stop accepting it within the key cache lifetime (10 s).") { keyId };
        revoke.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var id = parse.GetValue(keyId)!;
            var scope = await session.SendAsync(Scope.Default, new LocateKeyQuery(id), ct);
            await session.SendAsync(scope, new RevokeKeyCommand(id), ct);
            output.WriteLine($"Revoked key {id} in {scope}");
            return 0;
        }));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }
}
