using Engramia.Application.Jobs.Async;
using Engramia.Application.Jobs.CleanupOldJobs;
using Mediator;

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
    public void Every_async_capable_command_is_a_mediator_command_the_worker_can_send()
    {
        var registry = JobOperationRegistry.ForApplication();

        Assert.That(registry.Operations, Is.Not.Empty);
        foreach (var operation in registry.Operations)
        {
            registry.TryGetCommandType(operation, out var type);
            Assert.That(type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICommand<>)), Is.True,
                $"{type.Name} ({operation}) must be an ICommand<T> so the worker can send it");
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
