using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Memory.Algorithms;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Memory.Compose;

/// <summary><c>POST /v1/compose</c>: split a task into stages with file contracts and match each stage to a stored pattern.</summary>
[AsyncCapable("compose")]
public sealed record ComposeCommand : ICommand<ComposeResult>, IRequirePermission
{
    public required string Task { get; init; }

    public static string Permission => Permissions.Compose;
}

public sealed record ComposedStage(string Name, string Task, IReadOnlyList<string> Reads, IReadOnlyList<string> Writes, string ReuseTier, double Similarity, string? Code);

public sealed record ComposeResult(string Task, IReadOnlyList<ComposedStage> Stages, bool Valid, IReadOnlyList<string> ContractErrors);

public sealed class ComposeValidator : AbstractValidator<ComposeCommand>
{
    public ComposeValidator() => RuleFor(c => c.Task).NotNull().MaximumLength(MemoryConstants.TaskMaxChars);
}
