using Engramia.Application.Common;
using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Skills;

/// <summary><c>POST /v1/skills/register</c>: replace the skill tags of one pattern key.</summary>
public sealed record RegisterSkillsCommand : ICommand<RegisterSkillsResult>, IRequirePermission
{
    public required string PatternKey { get; init; }
    public required IReadOnlyList<string> Skills { get; init; }

    public static string Permission => Permissions.SkillsRegister;
}

public sealed record RegisterSkillsResult(int Registered);

public sealed class RegisterSkillsValidator : AbstractValidator<RegisterSkillsCommand>
{
    public RegisterSkillsValidator()
    {
        RuleFor(c => c.PatternKey).NotNull().MaximumLength(200);
        RuleFor(c => c.Skills).NotNull().Must(s => s.Count <= 50).WithMessage("List should have at most 50 items.");
        RuleForEach(c => c.Skills).NotNull().MaximumLength(200);
    }
}

/// <summary>
/// Read-then-write under the scope's write lock, so concurrent registrations of one key (or of new
/// keys racing for the next sequence number) apply one after another instead of colliding (issue 13, L4).
/// </summary>
public sealed class RegisterSkillsHandler(IApplicationDbContext db, IRequestContext context, IScopeWriteLock scopeLock) : ICommandHandler<RegisterSkillsCommand, RegisterSkillsResult>
{
    public async ValueTask<RegisterSkillsResult> Handle(RegisterSkillsCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await scopeLock.AcquireAsync(scope, cancellationToken);
        var entry = await db.Skills.InScope(scope).FirstOrDefaultAsync(s => s.PatternKey == command.PatternKey, cancellationToken);
        if (command.Skills.Count == 0)
        {
            return new RegisterSkillsResult(entry is null ? 0 : JsonSerializer.Deserialize<List<string>>(entry.Skills)!.Count);
        }

        var skills = FeedbackClustering.NormalizeSkills(command.Skills);
        if (entry is null)
        {
            var last = await db.Skills.InScope(scope).MaxAsync(s => (long?)s.Sequence, cancellationToken);
            db.Skills.Add(new SkillRegistration { TenantId = scope.TenantId, ProjectId = scope.ProjectId, PatternKey = command.PatternKey, Skills = JsonSerializer.Serialize(skills), Sequence = (last ?? 0) + 1 });
        }
        else
        {
            entry.Skills = JsonSerializer.Serialize(skills);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RegisterSkillsResult(skills.Count);
    }
}

/// <summary><c>POST /v1/skills/search</c>: patterns tagged with all (or any) of the required skills, in registration order.</summary>
public sealed record SearchSkillsQuery : IQuery<RecallResult>, IRequirePermission
{
    public required IReadOnlyList<string> Required { get; init; }
    public bool MatchAll { get; init; } = true;

    public static string Permission => Permissions.SkillsSearch;
}

public sealed class SearchSkillsValidator : AbstractValidator<SearchSkillsQuery>
{
    public SearchSkillsValidator()
    {
        RuleFor(q => q.Required).NotNull().Must(s => s.Count <= 50).WithMessage("List should have at most 50 items.");
        RuleForEach(q => q.Required).NotNull().MaximumLength(200);
    }
}

public sealed class SearchSkillsHandler(IApplicationDbContext db, IRequestContext context) : IQueryHandler<SearchSkillsQuery, RecallResult>
{
    public async ValueTask<RecallResult> Handle(SearchSkillsQuery query, CancellationToken cancellationToken)
    {
        if (query.Required.Count == 0)
        {
            return new RecallResult([], false, null);
        }

        var scope = context.Scope;
        var required = query.Required.Select(r => r.Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var registry = await db.Skills.AsNoTracking()
            .InScope(scope)
            .OrderBy(s => s.Sequence)
            .Select(s => new { s.PatternKey, s.Skills })
            .ToListAsync(cancellationToken);
        var keys = registry
            .Where(r =>
            {
                var skills = JsonSerializer.Deserialize<List<string>>(r.Skills) ?? [];
                return query.MatchAll ? required.IsSubsetOf(skills) : required.Overlaps(skills);
            })
            .Select(r => r.PatternKey)
            .ToList();
        var patterns = await db.Patterns.AsNoTracking()
            .InScope(scope).Where(p => keys.Contains(p.Key))
            .ToDictionaryAsync(p => p.Key, cancellationToken);
        var matches = keys.Where(patterns.ContainsKey)
            .Select(k => patterns[k])
            .Select(p => new RecallMatch(1.0, ReuseTier.Duplicate, p.Key, new RecalledPattern(p.Task, PatternJson.Text(p.Design, "code"), p.SuccessScore, p.ReuseCount)))
            .ToList();
        return new RecallResult(matches, false, null);
    }
}
