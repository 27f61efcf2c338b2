using System.Text.Json;

namespace Engramia.Api.Tests.Deployment;

/// <summary>
/// deploy/monitoring and deploy/Caddyfile checked by the real tools: promtool (Debian prometheus)
/// and caddy, installed by build/dev-tools.sh when missing.
/// </summary>
[NonParallelizable]
public sealed class MonitoringAndProxyTests
{
    private string _work = null!;

    [OneTimeSetUp]
    public async Task InstallToolsAsync()
    {
        var install = await DeployFiles.RunAsync("bash", ["build/dev-tools.sh", "prometheus", "prometheus-alertmanager", "prometheus-blackbox-exporter", "caddy"]);
        Assert.That(install.ExitCode, Is.Zero, install.Output);
    }

    [SetUp]
    public void CopyMonitoringFolder()
    {
        // prometheus.yml reads secrets/metrics_token, which is never committed: use the example.
        _work = Directory.CreateTempSubdirectory("engramia-monitoring-").FullName;
        foreach (var file in Directory.GetFiles(DeployFiles.PathOf("deploy/monitoring"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_work, Path.GetRelativePath(DeployFiles.PathOf("deploy/monitoring"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        File.Copy(Path.Combine(_work, "secrets/metrics_token.example"), Path.Combine(_work, "secrets/metrics_token"));
        File.Copy(Path.Combine(_work, "secrets/smtp_password.example"), Path.Combine(_work, "secrets/smtp_password"));
    }

    [TearDown]
    public void RemoveCopy() => Directory.Delete(_work, recursive: true);

    [Test]
    public async Task Promtool_accepts_the_prometheus_config()
    {
        var result = await Promtool("check", "config", "prometheus.yml");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
    }

    [Test]
    public async Task Promtool_accepts_the_alert_rules_and_they_cover_every_runbook_alarm()
    {
        var result = await Promtool("check", "rules", "alerts.rules.yml");
        var alerts = DeployFiles.Yaml("deploy/monitoring/alerts.rules.yml").List("groups")
            .SelectMany(g => g.List("rules")).Select(r => r.Scalar("alert")).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Output);
            Assert.That(alerts, Is.SupersetOf(new[]
            {
                "EngramiaDown", "EngramiaDeepHealthError", "EngramiaHigh5xxRate", "EngramiaHighLatencyP95",
                "EngramiaRateLimitRejections", "EngramiaMaintenanceLeftOn",
            }));
        });
    }

    [Test]
    public async Task Alert_rules_fire_on_the_series_they_are_meant_for()
    {
        var result = await Promtool("test", "rules", "alerts.test.yml");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
    }

    [Test]
    public async Task Every_dashboard_query_is_valid_promql_on_the_provisioned_datasource()
    {
        using var dashboard = JsonDocument.Parse(DeployFiles.Text("deploy/monitoring/grafana/engramia-overview.json"));
        var provisionedUid = DeployFiles.Yaml("deploy/monitoring/grafana/provisioning/datasources/prometheus.yml")
            .List("datasources").Single().Scalar("uid");
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        var exprs = panels.SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();

        // promtool validates PromQL inside rule files: one recording rule per dashboard query.
        var rules = "groups:\n  - name: dashboard\n    rules:\n" + string.Concat(exprs.Select((e, i) =>
            $"      - record: dashboard:query{i}\n        expr: {JsonSerializer.Serialize(e)}\n"));
        await File.WriteAllTextAsync(Path.Combine(_work, "dashboard.rules.yml"), rules);
        var result = await Promtool("check", "rules", "dashboard.rules.yml");

        Assert.Multiple(() =>
        {
            Assert.That(dashboard.RootElement.GetProperty("uid").GetString(), Is.EqualTo("engramia-overview"));
            Assert.That(exprs, Has.Count.GreaterThanOrEqualTo(10));
            Assert.That(panels.Select(p => p.GetProperty("datasource").GetProperty("uid").GetString()), Is.All.EqualTo(provisionedUid));
            Assert.That(result.ExitCode, Is.Zero, result.Output);
        });
    }

    [Test]
    public void Scrape_config_sends_the_metrics_bearer_token_from_a_file()
    {
        var job = DeployFiles.Yaml("deploy/monitoring/prometheus.yml").List("scrape_configs")
            .Single(j => j.Scalar("job_name") == "engramia-api");

        Assert.Multiple(() =>
        {
            Assert.That(job.Scalar("metrics_path"), Is.EqualTo("/metrics"));
            Assert.That(job.Map("authorization").Scalar("type"), Is.EqualTo("Bearer"));
            Assert.That(job.Map("authorization").Scalar("credentials_file"), Is.EqualTo("secrets/metrics_token"));
            Assert.That(DeployFiles.Text(".gitignore"), Does.Contain("/deploy/monitoring/secrets/metrics_token"));
        });
    }

    [Test]
    public async Task Amtool_accepts_the_alertmanager_config_and_critical_alerts_have_their_own_route()
    {
        var result = await RunIn(_work, "amtool", ["check-config", "alertmanager.yml"]);
        var routes = DeployFiles.Yaml("deploy/monitoring/alertmanager.yml").Map("route").List("routes");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Output);
            Assert.That(result.Output, Does.Contain("SUCCESS"));
            Assert.That(routes.Select(r => string.Join(",", r.List("matchers"))), Does.Contain("severity=\"critical\""));
        });
    }

    [Test]
    public async Task Blackbox_exporter_accepts_the_deep_health_module_the_scrape_config_names()
    {
        var result = await RunIn(_work, "prometheus-blackbox-exporter", ["--config.file=blackbox.yml", "--config.check"]);
        var job = DeployFiles.Yaml("deploy/monitoring/prometheus.yml").List("scrape_configs")
            .Single(j => j.Scalar("job_name") == "engramia-deep-health");
        var module = (string)job.Map("params").List("module").Single();
        var target = (string)((Dictionary<object, object>)job.List("static_configs").Single()).List("targets").Single();

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Output);
            Assert.That(DeployFiles.Yaml("deploy/monitoring/blackbox.yml").Map("modules").ContainsKey(module), Is.True);
            Assert.That(target, Does.EndWith("/v1/health/deep"));
        });
    }

    [Test]
    public void Monitoring_compose_mounts_files_that_exist_and_joins_the_production_network()
    {
        var monitoring = DeployFiles.Yaml("deploy/docker-compose.monitoring.yml");
        var prodNetwork = DeployFiles.Yaml("deploy/docker-compose.prod.yml").Map("networks").Map("engramia-net").Scalar("name");
        var mounts = monitoring.Map("services").Values
            .SelectMany(s => s is Dictionary<object, object> svc && svc.ContainsKey("volumes") ? svc.List("volumes").Cast<string>() : [])
            .Where(v => v.StartsWith("./monitoring/", StringComparison.Ordinal))
            .Select(v => v.Split(':')[0]["./".Length..])
            .Where(p => !p.StartsWith("monitoring/secrets/", StringComparison.Ordinal))
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(monitoring.Map("services").Keys.Cast<string>(), Is.SupersetOf(new[] { "prometheus", "alertmanager", "blackbox-exporter", "grafana" }));
            Assert.That(monitoring.Map("networks").Map("engramia-net").Scalar("name"), Is.EqualTo(prodNetwork));
            Assert.That(monitoring.Map("networks").Map("engramia-net").Scalar("external"), Is.EqualTo("true"));
            Assert.That(mounts, Has.Count.GreaterThanOrEqualTo(5));
            foreach (var mount in mounts)
            {
                Assert.That(File.Exists(DeployFiles.PathOf("deploy/" + mount)) || Directory.Exists(DeployFiles.PathOf("deploy/" + mount)), Is.True, mount);
            }
        });
    }

    [Test]
    public async Task Caddy_validates_the_Caddyfile_with_production_settings()
    {
        var env = new Dictionary<string, string>
        {
            ["CADDY_EMAIL"] = "ops@example.com",
            ["DOMAIN_API"] = "api.example.com",
            ["XDG_DATA_HOME"] = _work,
            ["XDG_CONFIG_HOME"] = _work,
        };
        var result = await DeployFiles.RunAsync("caddy", ["validate", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"], env, 60);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Output);
            Assert.That(result.Output, Does.Contain("Valid configuration"));
        });
    }

    private Task<DeployFiles.ProcessResult> Promtool(params string[] args) =>
        RunIn(_work, "promtool", args);

    private static async Task<DeployFiles.ProcessResult> RunIn(string directory, string program, string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new DeployFiles.ProcessResult(process.ExitCode, (await stdout) + (await stderr));
    }
}
