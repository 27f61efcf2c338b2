using Engramia.Api.Tests.Auth;
using Engramia.Client;

namespace Engramia.Api.Tests.Client;

/// <summary>Every method of <see cref="EngramiaClient"/> against the real service (db auth mode, PostgreSQL, local embeddings).</summary>
public sealed class EngramiaClientTests : AuthTestBase
{
    private const string Task = "Parse a CSV file and compute column statistics";
    private const string Code = "import csv\nrows = list(csv.DictReader(open(path)))";

    private async Task<(EngramiaClient Owner, CreatedKey Key)> OwnerAsync()
    {
        var key = await ClientTestSupport.Create(Factory, null).BootstrapAsync(new BootstrapRequest { BootstrapToken = BootstrapToken, KeyName = "client tests" });
        return (ClientTestSupport.Create(Factory, key.Key), key);
    }

    [Test]
    public async Task Meta_and_keys()
    {
        var anonymous = ClientTestSupport.Create(Factory, null);
        Assert.That((await anonymous.GetHealthAsync()).Status, Is.EqualTo("ok"));
        Assert.That((await anonymous.GetVersionAsync()).ApiVersion, Is.Not.Empty);

        var (owner, ownerKey) = await OwnerAsync();
        Assert.That(ownerKey.Role, Is.EqualTo("owner"));
        var created = await owner.CreateKeyAsync(new CreateKeyRequest { Name = "ci", Role = "reader", MaxPatterns = 5 });
        Assert.That((created.Role, created.MaxPatterns, created.Key.Length > 10), Is.EqualTo(("reader", (int?)5, true)));
        Assert.That((await owner.ListKeysAsync()).Keys.Select(k => k.Id), Is.SupersetOf(new[] { ownerKey.Id, created.Id }));
        var rotated = await owner.RotateKeyAsync(created.Id);
        Assert.That(rotated.Key, Is.Not.EqualTo(created.Key));
        Assert.That((await ClientTestSupport.Create(Factory, rotated.Key).GetMetricsAsync()).PatternCount, Is.Zero);
        Assert.That((await owner.RevokeKeyAsync(created.Id)).Revoked, Is.True);
        Assert.ThrowsAsync<EngramiaUnauthorizedException>(() => ClientTestSupport.Create(Factory, rotated.Key).GetMetricsAsync());
    }

    [Test]
    public async Task Memory_core_methods()
    {
        var (client, _) = await OwnerAsync();
        var learned = await client.LearnAsync(new LearnRequest { Task = Task, Code = Code, EvalScore = 8.5, Source = "sdk" });
        Assert.That(learned, Is.EqualTo(new LearnResult(true, 1)));

        var recall = await client.RecallAsync(new RecallRequest { Task = "compute statistics of a CSV file", Limit = 3 });
        var match = recall.Matches.Single();
        Assert.That((match.Pattern.Code, match.Pattern.Task), Is.EqualTo((Code, Task)));
        var key = match.PatternKey;

        var detail = await client.GetPatternAsync(key);
        Assert.That((detail.PatternKey, detail.Source, detail.Design["code"]!.GetValue<string>()), Is.EqualTo((key, "sdk", Code)));

        Assert.That((await client.GetMetricsAsync()).PatternCount, Is.EqualTo(1));
        Assert.That((await client.GetFeedbackAsync(limit: 3)).Feedback, Is.Empty);
        Assert.That((await client.AnalyzeFailuresAsync(new AnalyzeFailuresRequest { MinCount = 1 })).Clusters, Is.Empty);
        Assert.That((await client.RegisterSkillsAsync(new RegisterSkillsRequest { PatternKey = key, Skills = ["csv", "statistics"] })).Registered, Is.EqualTo(2));
        Assert.That((await client.SearchSkillsAsync(new SearchSkillsRequest { Required = ["csv"] })).Matches.Single().PatternKey, Is.EqualTo(key));
        Assert.That((await client.RunAgingAsync()).Pruned, Is.Zero);
        Assert.That((await client.DecayFeedbackAsync()).Pruned, Is.Zero);

        var export = await client.ExportAsync();
        Assert.That(export.Count, Is.EqualTo(1));
        Assert.That((await client.DeletePatternAsync(key)).Deleted, Is.True);
        Assert.That((await client.GetMetricsAsync()).PatternCount, Is.Zero);
        var imported = await client.ImportAsync(new ImportRequest { Records = export.Records, Overwrite = true });
        Assert.That(imported, Is.EqualTo(new ImportResult(1, 1)));
        Assert.That((await client.GetPatternAsync(key)).Task, Is.EqualTo(Task));

        // Without an LLM provider the LLM endpoints answer 501; the client reaches them and maps the envelope.
        foreach (var call in new Func<Task>[]
                 {
                     () => client.EvaluateAsync(new EvaluateRequest { Task = Task, Code = Code, NumEvals = 1 }),
                     () => client.ComposeAsync(new ComposeRequest { Task = Task }),
                     () => client.EvolveAsync(new EvolveRequest { Role = "coder", CurrentPrompt = "Write code." }),
                 })
        {
            var error = Assert.ThrowsAsync<EngramiaApiException>(async () => await call());
            Assert.That((error!.Status, error.ErrorCode), Is.EqualTo((501, "PROVIDER_NOT_CONFIGURED")));
        }
    }

    [Test]
    public async Task Jobs_submit_wait_list_get_cancel_cleanup()
    {
        var (client, _) = await OwnerAsync();
        await client.LearnAsync(new LearnRequest { Task = Task, Code = Code, EvalScore = 8 });
        var accepted = await client.SubmitAgingAsync();
        Assert.That(accepted.Status, Is.EqualTo("pending"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var job = await client.WaitForJobAsync(accepted.JobId, TimeSpan.FromMilliseconds(100), timeout.Token);
        Assert.That((job.Status, job.Operation), Is.EqualTo(("completed", "aging")));
        Assert.That(job.ResultAs<PruneResult>(), Is.EqualTo(new PruneResult(0)));

        Assert.That((await client.ListJobsAsync(limit: 5)).Jobs.Select(j => j.Id), Does.Contain(accepted.JobId));
        Assert.That((await client.GetJobAsync(accepted.JobId)).IsFinished, Is.True);
        Assert.That((await client.CancelJobAsync(accepted.JobId)).Cancelled, Is.False, "a finished job is not cancelled");
        Assert.That((await client.CleanupJobsAsync(retentionDays: 30)).RetentionDays, Is.EqualTo(30));
        Assert.ThrowsAsync<EngramiaNotFoundException>(() => client.GetJobAsync(Guid.NewGuid().ToString()));
    }

    [Test]
    public async Task The_service_errors_map_to_typed_exceptions()
    {
        var (owner, _) = await OwnerAsync();
        var bad = Assert.ThrowsAsync<EngramiaUnauthorizedException>(() => ClientTestSupport.Create(Factory, "not-a-key").GetMetricsAsync());
        Assert.That((bad!.Status, bad.ErrorCode, bad.Detail), Is.EqualTo((401, "UNAUTHORIZED", "Invalid API key.")));
        Assert.That(bad.RequestId, Is.Not.Null.And.Not.Empty);

        var reader = await owner.CreateKeyAsync(new CreateKeyRequest { Name = "r", Role = "reader" });
        var forbidden = Assert.ThrowsAsync<EngramiaForbiddenException>(() =>
            ClientTestSupport.Create(Factory, reader.Key).LearnAsync(new LearnRequest { Task = Task, Code = Code, EvalScore = 5 }));
        Assert.That(forbidden!.Detail, Is.EqualTo("Role 'reader' does not have permission 'learn'."));

        Assert.That(Assert.ThrowsAsync<EngramiaNotFoundException>(() => owner.GetPatternAsync("patterns/none"))!.ErrorCode, Is.EqualTo("NOT_FOUND"));

        var invalid = Assert.ThrowsAsync<EngramiaValidationException>(() => owner.LearnAsync(new LearnRequest { Task = Task, Code = Code, EvalScore = 11 }));
        Assert.That(invalid!.ErrorCode, Is.EqualTo("VALIDATION_ERROR"));
        Assert.That(invalid.Issues.Single().Loc, Is.EqualTo(new[] { "body", "eval_score" }));

        var again = Assert.ThrowsAsync<EngramiaConflictException>(() => ClientTestSupport.Create(Factory, null).BootstrapAsync(new BootstrapRequest { BootstrapToken = BootstrapToken }));
        Assert.That(again!.Status, Is.EqualTo(409));

        var quota = await owner.CreateKeyAsync(new CreateKeyRequest { Name = "q", Role = "editor", MaxPatterns = 1 });
        var limited = ClientTestSupport.Create(Factory, quota.Key);
        await limited.LearnAsync(new LearnRequest { Task = Task, Code = Code, EvalScore = 8 });
        var over = Assert.ThrowsAsync<EngramiaRateLimitedException>(() =>
            limited.LearnAsync(new LearnRequest { Task = "Send an email with an attachment over SMTP", Code = "smtplib.SMTP(host).send_message(msg)", EvalScore = 8 }));
        Assert.That((over!.Status, over.ErrorCode), Is.EqualTo((429, "QUOTA_EXCEEDED")));
    }
}
