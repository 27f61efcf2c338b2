using Engramia.Api.Jobs;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Application.Jobs.Execution;
using Engramia.Infrastructure.Configuration;
using Engramia.Infrastructure.Jobs;
using Microsoft.Extensions.Configuration;

namespace Engramia.Api.Tests.Jobs;

public sealed class JobSettingsTests
{
    [TestCase("ENGRAMIA_JOB_MAX_CONCURRENT", "three")]
    [TestCase("ENGRAMIA_JOB_MAX_CONCURRENT", "0")]
    [TestCase("ENGRAMIA_JOB_POLL_INTERVAL", "fast")]
    [TestCase("ENGRAMIA_JOB_RETENTION_DAYS", "-1")]
    public async Task Invalid_job_setting_refuses_to_start_naming_the_variable(string variable, string value)
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            [variable] = value,
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-jobs-settings-" + Guid.NewGuid().ToString("N")),
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.Stderr, Does.Contain(variable));
        });
    }

    [Test]
    public void Defaults_match_the_upstream_worker()
    {
        var options = EnvironmentOptions.ReadNow<JobOptions>(new ConfigurationBuilder().Build(), JobsInfrastructure.Read);

        Assert.Multiple(() =>
        {
            Assert.That(options.WorkerEnabled, Is.True);
            Assert.That(options.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.MaxConcurrent, Is.EqualTo(3));
            Assert.That(options.RetentionDays, Is.EqualTo(30));
            Assert.That(options.Lease, Is.EqualTo(TimeSpan.FromSeconds(60)));
        });
    }

    [TestCase("7", 7)]
    [TestCase(" 12 ", 12)]
    [TestCase("0", null)]
    [TestCase("-3", null)]
    [TestCase("+3", null)]
    [TestCase("2.5", null)]
    [TestCase("", null)]
    [TestCase(null, null)]
    public void Max_execution_seconds_accepts_only_positive_integers(string? header, int? expected) =>
        Assert.That(RespondAsync.ParseMaxSeconds(header), Is.EqualTo(expected));
}
