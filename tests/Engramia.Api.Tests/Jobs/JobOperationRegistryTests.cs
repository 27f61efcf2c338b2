using Engramia.Application.Jobs.Async;
using Engramia.Application.Jobs.CleanupOldJobs;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Jobs;

public sealed class JobOperationRegistryTests
{
    [Test]
    public void Async_capable_commands_are_found_by_operation_name()
    {
        var registry = JobOperationRegistry.ForApplication();

        Assert.Multiple(() =>
        {
            Assert.That(registry.TryGetCommandType("cleanup_old_jobs", out var type), Is.True);
            Assert.That(type, Is.EqualTo(typeof(CleanupOldJobsCommand)));
            Assert.That(registry.TryGetOperation(typeof(CleanupOldJobsCommand), out var operation), Is.True);
            Assert.That(operation, Is.EqualTo("cleanup_old_jobs"));
            Assert.That(registry.TryGetCommandType("no_such_operation", out _), Is.False);
        });
    }

    [Test]
    public void Every_async_capable_command_is_a_mediator_command_that_survives_the_job_params_round_trip()
    {
        var registry = JobOperationRegistry.ForApplication();
        var services = new ServiceCollection();
        Engramia.Api.DependencyInjection.AddApi(services);
        using var provider = services.BuildServiceProvider();
        var json = provider.GetRequiredService<JobJson>();

        foreach (var operation in registry.Operations)
        {
            registry.TryGetCommandType(operation, out var type);
            Assert.That(type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICommand<>)), Is.True,
                $"{type.Name} ({operation}) must be an ICommand<T> so the worker can send it");
            var instance = json.Deserialize("{}", type);
            var again = json.Deserialize(json.Serialize(instance, type), type);
            Assert.That(again, Is.EqualTo(instance), $"{type.Name} ({operation}) must round-trip through its job params");
        }
    }

    [Test]
    public void Two_commands_claiming_one_operation_are_refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => _ = new JobOperationRegistry([typeof(JobOperationRegistryTests).Assembly]));
        Assert.That(ex!.Message, Does.Contain("dup_op"));
    }

    [AsyncCapable("dup_op")]
    private sealed record First;

    [AsyncCapable("dup_op")]
    private sealed record Second;
}
