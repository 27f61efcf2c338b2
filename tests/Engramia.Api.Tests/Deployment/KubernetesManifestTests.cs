namespace Engramia.Api.Tests.Deployment;

/// <summary>deploy/k8s/engramia.yaml read as YAML documents.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly List<Dictionary<object, object>> Documents =
        DeployFiles.YamlDocuments("deploy/k8s/engramia.yaml").Cast<Dictionary<object, object>>().ToList();

    private static Dictionary<object, object> Single(string kind) => Documents.Single(d => d.Scalar("kind") == kind);

    private static Dictionary<object, object> Deployment => Single("Deployment");

    private static Dictionary<object, object> ApiContainer =>
        (Dictionary<object, object>)Deployment.Map("spec").Map("template").Map("spec").List("containers").Single();

    [Test]
    public void Holds_every_kind_a_release_needs()
    {
        var kinds = Documents.Select(d => d.Scalar("kind")).ToList();

        Assert.That(kinds, Is.SupersetOf(new[] { "Namespace", "ConfigMap", "Secret", "Job", "Deployment", "Service", "PodDisruptionBudget" }));
    }

    [Test]
    public void Api_trusts_the_ingress_network_for_forwarded_headers_and_names_no_openai_model_without_a_key()
    {
        var config = Single("ConfigMap").Map("data");
        var secret = Single("Secret").Map("stringData");

        Assert.Multiple(() =>
        {
            Assert.That(System.Net.IPNetwork.TryParse(config.Scalar("ENGRAMIA_TRUSTED_PROXIES"), out _), Is.True);
            Assert.That(secret.Scalar("OPENAI_API_KEY"), Is.Empty);
            Assert.That(config.ContainsKey("ENGRAMIA_EMBEDDING_MODEL") || config.ContainsKey("ENGRAMIA_LLM_PROVIDER"), Is.False);
        });
    }

    [Test]
    public void Every_namespaced_object_lives_in_the_engramia_namespace()
    {
        foreach (var doc in Documents.Where(d => d.Scalar("kind") != "Namespace"))
        {
            Assert.That(doc.Map("metadata").Scalar("namespace"), Is.EqualTo("engramia"), doc.Scalar("kind"));
        }
    }

    [Test]
    public void Deployment_runs_at_least_two_replicas_and_never_drops_a_ready_pod_while_rolling()
    {
        var spec = Deployment.Map("spec");
        var rolling = spec.Map("strategy").Map("rollingUpdate");

        Assert.Multiple(() =>
        {
            Assert.That(int.Parse(spec.Scalar("replicas")!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(2));
            Assert.That(spec.Map("strategy").Scalar("type"), Is.EqualTo("RollingUpdate"));
            Assert.That(rolling.Scalar("maxUnavailable"), Is.EqualTo("0"));
            Assert.That(rolling.Scalar("maxSurge"), Is.Not.EqualTo("0"), "with maxUnavailable 0 a surge pod is the only way forward");
        });
    }

    [Test]
    public void Readiness_probes_ready_and_liveness_probes_shallow_health_on_the_named_port()
    {
        var container = ApiContainer;
        var portName = ((Dictionary<object, object>)container.List("ports").Single()).Scalar("name");

        Assert.Multiple(() =>
        {
            Assert.That(container.Map("readinessProbe").Map("httpGet").Scalar("path"), Is.EqualTo("/v1/health/ready"));
            Assert.That(container.Map("livenessProbe").Map("httpGet").Scalar("path"), Is.EqualTo("/v1/health"));
            Assert.That(container.Map("readinessProbe").Map("httpGet").Scalar("port"), Is.EqualTo(portName));
            Assert.That(container.Map("livenessProbe").Map("httpGet").Scalar("port"), Is.EqualTo(portName));
            Assert.That(((Dictionary<object, object>)container.List("ports").Single()).Scalar("containerPort"), Is.EqualTo("8000"));
        });
    }

    [Test]
    public void Api_memory_fits_the_local_embedding_model()
    {
        var resources = ApiContainer.Map("resources");

        Assert.Multiple(() =>
        {
            Assert.That(DeployFiles.Bytes(resources.Map("requests").Scalar("memory")!), Is.GreaterThanOrEqualTo(512L << 20));
            Assert.That(DeployFiles.Bytes(resources.Map("limits").Scalar("memory")!), Is.GreaterThanOrEqualTo(768L << 20));
            Assert.That(resources.Map("limits").Scalar("cpu"), Is.Not.Null);
            Assert.That(resources.Map("requests").Scalar("cpu"), Is.Not.Null);
        });
    }

    [Test]
    public void Migration_job_runs_the_bundle_from_the_same_image_with_the_database_secret()
    {
        var job = Single("Job");
        var podSpec = job.Map("spec").Map("template").Map("spec");
        var container = (Dictionary<object, object>)podSpec.List("containers").Single();
        var secretName = ((Dictionary<object, object>)container.List("envFrom").Single()).Map("secretRef").Scalar("name");

        Assert.Multiple(() =>
        {
            Assert.That(container.List("command").Cast<string>(), Is.EqualTo(new[] { "./migrate" }));
            Assert.That(container.Scalar("image"), Is.EqualTo(ApiContainer.Scalar("image")), "migrations must come from the release being deployed");
            Assert.That(podSpec.Scalar("restartPolicy"), Is.EqualTo("Never"));
            Assert.That(secretName, Is.EqualTo(Single("Secret").Map("metadata").Scalar("name")));
            Assert.That(Single("Secret").Map("stringData").ContainsKey("ENGRAMIA_DATABASE_URL"), Is.True);
        });
    }

    [Test]
    public void Api_pods_take_config_and_secret_that_exist()
    {
        var sources = ApiContainer.List("envFrom").Cast<Dictionary<object, object>>().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(sources.Single(s => s.ContainsKey("configMapRef")).Map("configMapRef").Scalar("name"), Is.EqualTo(Single("ConfigMap").Map("metadata").Scalar("name")));
            Assert.That(sources.Single(s => s.ContainsKey("secretRef")).Map("secretRef").Scalar("name"), Is.EqualTo(Single("Secret").Map("metadata").Scalar("name")));
            Assert.That(Single("ConfigMap").Map("data").Scalar("ENGRAMIA_STORAGE"), Is.EqualTo("postgres"));
        });
    }

    [Test]
    public void Service_and_disruption_budget_select_the_api_pods_and_keep_one_available()
    {
        var podLabels = Deployment.Map("spec").Map("template").Map("metadata").Map("labels");
        var serviceSelector = Single("Service").Map("spec").Map("selector");
        var pdb = Single("PodDisruptionBudget").Map("spec");
        var replicas = int.Parse(Deployment.Map("spec").Scalar("replicas")!, System.Globalization.CultureInfo.InvariantCulture);
        var minAvailable = int.Parse(pdb.Scalar("minAvailable")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            Assert.That(serviceSelector, Is.SubsetOf(podLabels));
            Assert.That(pdb.Map("selector").Map("matchLabels"), Is.SubsetOf(podLabels));
            Assert.That(Deployment.Map("spec").Map("selector").Map("matchLabels"), Is.SubsetOf(podLabels));
            Assert.That(minAvailable, Is.InRange(1, replicas - 1), "a PDB equal to the replica count blocks node drains");
            Assert.That(((Dictionary<object, object>)Single("Service").Map("spec").List("ports").Single()).Scalar("targetPort"), Is.EqualTo("http"));
        });
    }

    [Test]
    public void Pods_run_as_the_images_non_root_user_on_a_read_only_root()
    {
        var podSecurity = Deployment.Map("spec").Map("template").Map("spec").Map("securityContext");
        var dockerUid = System.Text.RegularExpressions.Regex.Match(DeployFiles.Text("deploy/Dockerfile"), @"useradd[^\n]*--uid (\d+)").Groups[1].Value;

        Assert.Multiple(() =>
        {
            Assert.That(podSecurity.Scalar("runAsNonRoot"), Is.EqualTo("true"));
            Assert.That(podSecurity.Scalar("runAsUser"), Is.EqualTo(dockerUid).And.Not.Empty);
            Assert.That(ApiContainer.Map("securityContext").Scalar("readOnlyRootFilesystem"), Is.EqualTo("true"));
            Assert.That(ApiContainer.List("volumeMounts").Cast<Dictionary<object, object>>().Select(m => m.Scalar("mountPath")), Does.Contain("/tmp"));
        });
    }
}
