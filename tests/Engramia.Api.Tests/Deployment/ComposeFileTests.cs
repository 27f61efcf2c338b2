using System.Text.RegularExpressions;

namespace Engramia.Api.Tests.Deployment;

/// <summary>deploy/docker-compose.prod.yml and its .env example, read as YAML (no Docker on these machines).</summary>
public sealed partial class ComposeFileTests
{
    private const string ComposeFile = "deploy/docker-compose.prod.yml";
    private const string EnvExample = "deploy/.env.production.example";

    private static Dictionary<object, object> Services => DeployFiles.Yaml(ComposeFile).Map("services");

    [Test]
    public void Defines_exactly_the_api_database_and_proxy_services()
    {
        Assert.That(Services.Keys.Cast<string>(), Is.EquivalentTo(new[] { "engramia-api", "pgvector", "caddy" }));
    }

    [Test]
    public void Api_image_tag_comes_from_IMAGE_TAG_and_is_required()
    {
        var image = Services.Map("engramia-api").Scalar("image");

        Assert.That(image, Does.Match(@":\$\{IMAGE_TAG:\?[^}]+\}$"), "IMAGE_TAG must be required (compose fails early when unset)");
    }

    [Test]
    public void Api_reads_dotenv_and_health_checks_the_shallow_health_endpoint()
    {
        var api = Services.Map("engramia-api");
        var test = api.Map("healthcheck").List("test").Cast<string>().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(api.List("env_file").Cast<string>(), Does.Contain(".env"));
            Assert.That(test[0], Is.EqualTo("CMD"));
            Assert.That(test, Does.Contain("curl"));
            Assert.That(test[^1], Is.EqualTo("http://127.0.0.1:8000/v1/health"));
            Assert.That(api.Map("environment").Scalar("ENGRAMIA_PORT"), Is.EqualTo("8000"));
        });
    }

    [Test]
    public void Api_trusts_exactly_caddys_fixed_address_for_forwarded_headers()
    {
        var network = DeployFiles.Yaml(ComposeFile).Map("networks").Map("engramia-net");
        var subnet = System.Net.IPNetwork.Parse((string)((Dictionary<object, object>)network.Map("ipam").List("config").Single()).Scalar("subnet")!);
        var caddyAddress = Services.Map("caddy").Map("networks").Map("engramia-net").Scalar("ipv4_address")!;
        var exampleValue = File.ReadAllLines(DeployFiles.PathOf(EnvExample))
            .Single(l => l.StartsWith("ENGRAMIA_TRUSTED_PROXIES=", StringComparison.Ordinal))["ENGRAMIA_TRUSTED_PROXIES=".Length..];

        Assert.Multiple(() =>
        {
            Assert.That(subnet.Contains(System.Net.IPAddress.Parse(caddyAddress)), Is.True, "Caddy's address is outside engramia-net");
            Assert.That(exampleValue, Is.EqualTo(caddyAddress));
            Assert.That(Services.Map("engramia-api").Map("environment").Scalar("ENGRAMIA_TRUSTED_PROXIES"),
                Is.EqualTo("${ENGRAMIA_TRUSTED_PROXIES:-" + caddyAddress + "}"));
        });
    }

    [Test]
    public void Env_example_names_no_openai_model_while_the_key_is_empty()
    {
        // An OpenAI embedding model or LLM provider with an empty OPENAI_API_KEY is a FATAL start-up error.
        var keys = DeployFiles.EnvFileKeys(EnvExample);
        var key = File.ReadAllLines(DeployFiles.PathOf(EnvExample)).Single(l => l.StartsWith("OPENAI_API_KEY=", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(key, Is.EqualTo("OPENAI_API_KEY="));
            Assert.That(keys, Does.Not.Contain("ENGRAMIA_EMBEDDING_MODEL").And.Not.Contain("ENGRAMIA_LLM_PROVIDER"));
        });
    }

    [Test]
    public void Api_is_published_on_loopback_only()
    {
        var ports = Services.Map("engramia-api").List("ports").Cast<string>().ToList();

        Assert.That(ports, Is.All.StartsWith("127.0.0.1:"));
    }

    [Test]
    public void Api_waits_for_a_healthy_database_and_caddy_for_a_healthy_api()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Services.Map("engramia-api").Map("depends_on").Map("pgvector").Scalar("condition"), Is.EqualTo("service_healthy"));
            Assert.That(Services.Map("caddy").Map("depends_on").Map("engramia-api").Scalar("condition"), Is.EqualTo("service_healthy"));
        });
    }

    [Test]
    public void Pgvector_is_postgres_16_or_newer_with_pgvector_0_8_and_the_engramia_database()
    {
        var pg = Services.Map("pgvector");
        var match = ImageVersion().Match(DefaultOf(pg.Scalar("image")));
        var env = pg.Map("environment");

        Assert.Multiple(() =>
        {
            Assert.That(match.Success, Is.True, pg.Scalar("image"));
            Assert.That(new Version(match.Groups["vector"].Value), Is.GreaterThanOrEqualTo(new Version(0, 8, 0)), "iterative index scans need pgvector 0.8");
            Assert.That(int.Parse(match.Groups["pg"].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(16));
            Assert.That(env.Scalar("POSTGRES_DB"), Is.EqualTo("engramia"));
            Assert.That(env.Scalar("POSTGRES_USER"), Is.EqualTo("engramia"));
            Assert.That(pg.List("volumes").Cast<string>(), Does.Contain("pgdata:/var/lib/postgresql/data"));
        });
    }

    [TestCase("caddy", "CADDY_IMAGE")]
    [TestCase("pgvector", "PGVECTOR_IMAGE")]
    public void Proxy_and_database_images_default_to_the_env_examples_values(string service, string variable)
    {
        // ${CADDY_IMAGE:-caddy:…}: the default is production's image; the .env example repeats it.
        var image = Services.Map(service).Scalar("image")!;
        var example = File.ReadAllLines(DeployFiles.PathOf(EnvExample)).Single(l => l.StartsWith(variable + "=", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(image, Does.StartWith("${" + variable + ":-"));
            Assert.That(example, Is.EqualTo(variable + "=" + DefaultOf(image)));
        });
    }

    [Test]
    public void Pgvector_health_check_is_pg_isready_for_the_engramia_user()
    {
        var test = Services.Map("pgvector").Map("healthcheck").List("test").Cast<string>().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(test[0], Is.EqualTo("CMD-SHELL"));
            Assert.That(test[1], Does.StartWith("pg_isready -U engramia"));
            Assert.That(Services.Map("pgvector").ContainsKey("ports"), Is.False, "PostgreSQL is never published");
        });
    }

    [Test]
    public void Caddy_serves_80_and_443_with_the_repository_Caddyfile()
    {
        var caddy = Services.Map("caddy");

        Assert.Multiple(() =>
        {
            Assert.That(caddy.List("ports").Cast<string>(), Is.EquivalentTo(new[] { "80:80", "443:443" }));
            Assert.That(caddy.List("volumes").Cast<string>(), Does.Contain("./Caddyfile:/etc/caddy/Caddyfile:ro"));
            Assert.That(File.Exists(DeployFiles.PathOf("deploy/Caddyfile")), Is.True);
        });
    }

    [Test]
    public void Every_service_restarts_and_drops_privileges_through_the_shared_anchor()
    {
        foreach (var (name, service) in Services)
        {
            Assert.Multiple(() =>
            {
                Assert.That(service.Scalar("restart"), Is.EqualTo("unless-stopped"), $"{name}");
                Assert.That(service.List("security_opt").Cast<string>(), Does.Contain("no-new-privileges:true"), $"{name}");
            });
        }
    }

    [Test]
    public void Api_memory_limit_leaves_room_for_the_local_embedding_model()
    {
        var limit = Services.Map("engramia-api").Map("deploy").Map("resources").Map("limits").Scalar("memory")!;

        Assert.That(DeployFiles.Bytes(limit.Replace("G", "Gi", StringComparison.Ordinal).Replace("M", "Mi", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(768L << 20));
    }

    [TestCase(ComposeFile)]
    [TestCase("deploy/docker-compose.monitoring.yml")]
    public void Every_variable_the_compose_file_interpolates_is_in_the_env_example(string file)
    {
        var content = string.Join('\n', DeployFiles.Text(file).Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        var used = Interpolation().Matches(content).Select(m => m.Groups[1].Value).ToHashSet();
        var example = DeployFiles.EnvFileKeys(EnvExample);

        Assert.Multiple(() =>
        {
            Assert.That(used, Is.Not.Empty);
            Assert.That(used.Except(example), Is.Empty, "variables missing from .env.production.example");
        });
    }

    [Test]
    public void Every_variable_the_runbooks_tables_list_is_in_the_env_example()
    {
        // First cells of the runbook's variable tables: "| `ENGRAMIA_DATABASE_URL` | …", "| `CADDY_EMAIL`, `DOMAIN_API` | …".
        var firstCells = DeployFiles.Text("docs/runbook.md").Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|')[1].Trim())
            .Where(cell => RunbookVariable().Match(cell) is { Success: true, Index: 1 });
        var named = firstCells.SelectMany(cell => RunbookVariable().Matches(cell).Select(m => m.Value)).ToHashSet();
        // Switched by the runbook's own echo/sed lines, never kept in the file.
        named.Remove("ENGRAMIA_MAINTENANCE");
        var example = DeployFiles.EnvFileKeys(EnvExample);

        Assert.Multiple(() =>
        {
            Assert.That(named, Does.Contain("ENGRAMIA_DATABASE_URL").And.Contain("ENGRAMIA_BOOTSTRAP_TOKEN").And.Contain("DOMAIN_API"));
            Assert.That(named.Except(example), Is.Empty, "variables the runbook names but .env.production.example lacks");
        });
    }

    [Test]
    public void Env_example_ends_with_a_newline_so_the_runbooks_echo_append_starts_a_line()
    {
        var text = DeployFiles.Text(EnvExample);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.EndWith("\n"));
            Assert.That(DeployFiles.EnvFileKeys(EnvExample), Does.Not.Contain("ENGRAMIA_MAINTENANCE"));
            Assert.That(DeployFiles.EnvFileKeys(EnvExample), Does.Contain("ENGRAMIA_STORAGE"));
        });
    }

    /// <summary>The value of <c>${VAR:-default}</c> when VAR is unset; a plain value as is.</summary>
    private static string DefaultOf(string? value) =>
        value is not null && value.StartsWith("${", StringComparison.Ordinal) && value.Contains(":-", StringComparison.Ordinal)
            ? value[(value.IndexOf(":-", StringComparison.Ordinal) + 2)..^1]
            : value ?? "";

    [GeneratedRegex(@"\$\{([A-Z_][A-Z0-9_]*)")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"\b(?:ENGRAMIA_[A-Z_]+|STRIPE_(?:SECRET_KEY|WEBHOOK_SECRET)|OPENAI_API_KEY|IMAGE_TAG|POSTGRES_PASSWORD|CADDY_[A-Z_]+|DOMAIN_API)\b")]
    private static partial Regex RunbookVariable();

    [GeneratedRegex(@"pgvector/pgvector:(?<vector>\d+\.\d+\.\d+)-pg(?<pg>\d+)$")]
    private static partial Regex ImageVersion();
}
