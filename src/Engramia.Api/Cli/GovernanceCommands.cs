using System.CommandLine;
using System.Text.Json;
using Engramia.Application.Governance.Erasure;
using Engramia.Application.Governance.Export;
using Engramia.Application.Governance.Retention;
using Engramia.Domain.Common;

namespace Engramia.Api.Cli;

/// <summary>
/// <c>governance retention|apply|purge-project|purge-tenant|export</c>: the governance endpoints' commands
/// for operators, sent through the mediator as the operator in the scope the options name.
/// </summary>
internal static class GovernanceCommands
{
    public static Command Create(Func<ServiceProvider> services)
    {
        var governance = new Command("governance", "Retention, erasure and export of a tenant's or project's data.");
        governance.Subcommands.Add(Retention(services));
        governance.Subcommands.Add(Apply(services));
        governance.Subcommands.Add(PurgeProject(services));
        governance.Subcommands.Add(PurgeTenant(services));
        governance.Subcommands.Add(Export(services));
        return governance;
    }

    private static Option<string> TenantOption() => new("--tenant", "-t") { Description = "Tenant id.", DefaultValueFactory = _ => Scope.DefaultId };

    private static Option<string> ProjectOption() => new("--project", "-p") { Description = "Project id.", DefaultValueFactory = _ => Scope.DefaultId };

    private static Option<bool> YesOption() => new("--yes", "-y") { Description = "Confirm an irreversible erasure." };

    private static Command Retention(Func<ServiceProvider> services)
    {
        var tenant = TenantOption();
        var project = ProjectOption();
        var days = new Option<int?>("--days") { Description = "Set the retention (1-36500 days); without it, show the policy in effect." };
        var level = new Option<string>("--level") { Description = "project or tenant.", DefaultValueFactory = _ => RetentionSource.Project };
        var command = new Command("retention", "Show or set the retention policy of a project (or its tenant).") { tenant, project, days, level };
        command.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var scope = new Scope(parse.GetValue(tenant)!, parse.GetValue(project)!);
            var view = parse.GetValue(days) is { } set
                ? await session.SendAsync(scope, new SetRetentionCommand { RetentionDays = set, Scope = parse.GetValue(level)! }, ct)
                : await session.SendAsync(scope, new GetRetentionQuery(), ct);
            output.WriteLine($"{view.TenantId}/{view.ProjectId}: {view.RetentionDays} days (from {view.Source})");
            return 0;
        }));
        return command;
    }

    private static Command Apply(Func<ServiceProvider> services)
    {
        var tenant = TenantOption();
        var project = ProjectOption();
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would expire; delete nothing." };
        var all = new Option<bool>("--all") { Description = "Every scope that holds patterns (what the daily sweep does)." };
        var command = new Command("apply", "Delete the patterns older than the retention in effect.") { tenant, project, dryRun, all };
        command.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            if (parse.GetValue(all))
            {
                var swept = await session.SendAsync(Scope.Default, new SweepRetentionCommand(), ct);
                output.WriteLine($"expired {swept.PurgedCount} patterns in {swept.Scopes} scopes");
                return 0;
            }

            var scope = new Scope(parse.GetValue(tenant)!, parse.GetValue(project)!);
            var applied = await session.SendAsync(scope, new ApplyRetentionCommand { DryRun = parse.GetValue(dryRun) }, ct);
            output.WriteLine(applied.DryRun ? $"would expire {applied.PurgedCount} patterns" : $"expired {applied.PurgedCount} patterns");
            return 0;
        }));
        return command;
    }

    private static Command PurgeProject(Func<ServiceProvider> services)
    {
        var id = new Argument<string>("project") { Description = "The project to erase." };
        var tenant = TenantOption();
        var yes = YesOption();
        var command = new Command("purge-project", "Erase every row of one project, irreversibly.") { id, tenant, yes };
        command.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            if (!parse.GetValue(yes))
            {
                return OperatorSession.Fail("erasure is irreversible: add --yes to confirm.");
            }

            var projectId = parse.GetValue(id)!;
            var erased = await session.SendAsync(new Scope(parse.GetValue(tenant)!, projectId), new EraseProjectCommand { ProjectId = projectId }, ct);
            Print(output, erased);
            return 0;
        }));
        return command;
    }

    private static Command PurgeTenant(Func<ServiceProvider> services)
    {
        var id = new Argument<string>("tenant") { Description = "The tenant to erase, with all its projects and keys." };
        var yes = YesOption();
        var command = new Command("purge-tenant", "Erase every row of one tenant, irreversibly.") { id, yes };
        command.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            if (!parse.GetValue(yes))
            {
                return OperatorSession.Fail("erasure is irreversible: add --yes to confirm.");
            }

            var tenantId = parse.GetValue(id)!;
            Print(output, await session.SendAsync(new Scope(tenantId, Scope.DefaultId), new EraseTenantCommand { TenantId = tenantId }, ct));
            return 0;
        }));
        return command;
    }

    private static Command Export(Func<ServiceProvider> services)
    {
        var tenant = TenantOption();
        var project = ProjectOption();
        var classification = new Option<string?>("--classification", "-c") { Description = "Comma-separated: public, internal, confidential." };
        var file = new Option<string>("--output", "-o") { Description = "File to write, or - for stdout.", DefaultValueFactory = _ => "-" };
        var command = new Command("export", "Write a scope's patterns as NDJSON (the portable export).") { tenant, project, classification, file };
        command.SetAction((parse, ct) => OperatorSession.RunAsync(services, (session, output) =>
            session.StreamAsync(new Scope(parse.GetValue(tenant)!, parse.GetValue(project)!), new ExportScopeQuery { Classification = parse.GetValue(classification) },
                async lines =>
                {
                    var path = parse.GetValue(file)!;
                    await using var target = path == "-" ? Console.OpenStandardOutput() : File.Create(path);
                    var count = 0;
                    await foreach (var line in lines.WithCancellation(ct))
                    {
                        await JsonSerializer.SerializeAsync(target, line, OperatorSession.WireJson, ct);
                        await target.WriteAsync("\n"u8.ToArray(), ct);
                        count++;
                    }

                    await Console.Error.WriteLineAsync($"exported {count} patterns");
                    return 0;
                }, ct)));
        return command;
    }

    private static void Print(TextWriter output, ScopeErased erased)
    {
        output.WriteLine($"erased {erased.TenantId}/{erased.ProjectId ?? "*"}: {erased.Total} rows");
        foreach (var (table, rows) in erased.RowsDeleted)
        {
            output.WriteLine($"  {table}\t{rows}");
        }
    }
}
