using System.Text.RegularExpressions;

namespace Engramia.Api.Tests.Deployment;

/// <summary>deploy/Dockerfile read as instructions (no Docker engine here to build it).</summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = DeployFiles.Text("deploy/Dockerfile");

    /// <summary>Instructions with line continuations joined, comments dropped, grouped by stage name.</summary>
    private static readonly List<(string Stage, string From, List<string> Lines)> Stages = ParseStages();

    private static List<string> Stage(string name) => Stages.Single(s => s.Stage == name).Lines;

    [Test]
    public void Builds_in_restore_publish_bundle_and_runtime_stages()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Stages.Select(s => s.Stage), Is.EqualTo(new[] { "restore", "publish", "bundle", "runtime" }));
            Assert.That(Stages[0].From, Does.Contain("DOTNET_SDK_IMAGE"));
            Assert.That(Stages[^1].From, Does.Contain("DOTNET_RUNTIME_IMAGE"));
            Assert.That(Dockerfile, Does.Contain("ARG DOTNET_RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0"));
            Assert.That(Dockerfile, Does.Contain("ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0"));
        });
    }

    [Test]
    public void Restore_stage_copies_every_source_project_and_the_tool_manifest_but_no_tests()
    {
        var restore = string.Join('\n', Stage("restore"));
        var projects = Directory.GetFiles(DeployFiles.PathOf("src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(DeployFiles.Root, p).Replace('\\', '/'));

        Assert.Multiple(() =>
        {
            foreach (var project in projects)
            {
                Assert.That(restore, Does.Contain($"COPY {project} "), $"{project} is not restored in the image");
            }

            Assert.That(restore, Does.Contain("COPY .config/dotnet-tools.json"));
            Assert.That(Dockerfile, Does.Not.Contain("COPY tests"));
        });
    }

    [Test]
    public void Publish_stamps_version_commit_and_build_time_from_build_args()
    {
        var publish = string.Join('\n', Stage("publish"));

        Assert.Multiple(() =>
        {
            Assert.That(publish, Does.Contain("dotnet publish src/Engramia.Api/Engramia.Api.csproj"));
            Assert.That(publish, Does.Contain("-p:GitCommit=${GIT_COMMIT}"));
            Assert.That(publish, Does.Contain("-p:BuildTime=${BUILD_TIME}"));
            Assert.That(publish, Does.Contain("-p:Version=${APP_VERSION}"));
            Assert.That(publish, Does.Not.Contain("dotnet test"));
        });
    }

    [Test]
    public void Default_app_version_matches_the_version_the_build_stamps()
    {
        var props = DeployFiles.Text("Directory.Build.props");
        var version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        var defaults = ArgDefault().Matches(Dockerfile).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.That(defaults, Is.EqualTo(new[] { version }), "ARG APP_VERSION defaults must equal Directory.Build.props <Version>");
    }

    [Test]
    public void Bundle_stage_builds_the_postgres_migrations_bundle_with_the_local_tool()
    {
        var bundle = string.Join('\n', Stage("bundle"));

        Assert.Multiple(() =>
        {
            Assert.That(string.Join('\n', Stage("restore")), Does.Contain("dotnet tool restore"));
            Assert.That(bundle, Does.Contain("dotnet ef migrations bundle"));
            Assert.That(bundle, Does.Contain("--context PostgresDbContext"));
            Assert.That(bundle, Does.Contain("--output /out/efbundle"));
        });
    }

    [Test]
    public void Runtime_places_efbundle_and_migrate_in_the_working_directory()
    {
        var runtime = Stage("runtime");

        Assert.Multiple(() =>
        {
            Assert.That(runtime, Does.Contain("WORKDIR /app"));
            Assert.That(runtime, Does.Contain("COPY --from=bundle /out/efbundle /app/efbundle"));
            Assert.That(runtime, Does.Contain("COPY --from=publish /out/app/ /app/"));
            Assert.That(runtime, Does.Contain("COPY deploy/migrate /app/migrate"));
            Assert.That(File.Exists(DeployFiles.PathOf("deploy/migrate")), Is.True);
        });
    }

    [Test]
    public void Runtime_runs_as_a_non_root_user()
    {
        var user = Stage("runtime").Last(l => l.StartsWith("USER ", StringComparison.Ordinal))[5..].Split(':')[0].Trim();

        Assert.Multiple(() =>
        {
            Assert.That(user, Is.Not.EqualTo("root").And.Not.EqualTo("0"));
            Assert.That(string.Join('\n', Stage("runtime")), Does.Contain($"useradd --system --uid 1001 --gid {user}"));
        });
    }

    [Test]
    public void Runtime_health_check_calls_the_shallow_health_endpoint()
    {
        var healthcheck = Stage("runtime").Single(l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(healthcheck, Does.Contain("CMD curl -fsS"));
            Assert.That(healthcheck, Does.Contain("/v1/health\""));
            Assert.That(healthcheck, Does.Contain("--interval=30s").And.Contain("--timeout=5s").And.Contain("--retries=3"));
            Assert.That(string.Join('\n', Stage("runtime")), Does.Contain("install -y --no-install-recommends curl"));
        });
    }

    [Test]
    public void Runtime_labels_carry_version_and_commit()
    {
        var label = Stage("runtime").Single(l => l.StartsWith("LABEL", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(label, Does.Contain("org.opencontainers.image.version=\"${APP_VERSION}\""));
            Assert.That(label, Does.Contain("org.opencontainers.image.revision=\"${GIT_COMMIT}\""));
            Assert.That(label, Does.Contain("org.opencontainers.image.created=\"${BUILD_TIME}\""));
        });
    }

    [Test]
    public void Runtime_listens_on_8000_from_the_engramia_variables()
    {
        var runtime = string.Join('\n', Stage("runtime"));

        Assert.Multiple(() =>
        {
            Assert.That(runtime, Does.Contain("ENGRAMIA_PORT=8000"));
            Assert.That(runtime, Does.Contain("ASPNETCORE_HTTP_PORTS="), "the ASP.NET image's 8080 default must not apply");
            Assert.That(runtime, Does.Contain("EXPOSE 8000"));
        });
    }

    [Test]
    public void Context_filter_keeps_tests_build_output_and_env_files_out()
    {
        var ignore = DeployFiles.Text("deploy/Dockerfile.dockerignore").Split('\n').Select(l => l.Trim()).ToList();

        Assert.That(ignore, Is.SupersetOf(new[] { "tests/", "**/bin/", "**/obj/", "**/.env", ".git/" }));
    }

    private static List<(string, string, List<string>)> ParseStages()
    {
        var joined = Regex.Replace(Dockerfile, @"\\\n", " ");
        var stages = new List<(string, string, List<string>)>();
        foreach (var raw in joined.Split('\n'))
        {
            var line = Regex.Replace(raw.Trim(), @"\s+", " ");
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var from = Regex.Match(line, @"^FROM (\S+) AS (\S+)$");
            if (from.Success)
            {
                stages.Add((from.Groups[2].Value, from.Groups[1].Value, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Item3.Add(line);
            }
        }

        return stages;
    }

    [GeneratedRegex(@"^ARG APP_VERSION=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex ArgDefault();
}
