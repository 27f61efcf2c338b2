using Engramia.Application.Common;
using System.Text.Json.Nodes;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Patterns;

/// <summary><c>GET /v1/patterns/{key}</c> (not upstream): one pattern with its evaluation history, newest first.</summary>
public sealed record GetPatternQuery(string PatternKey) : IQuery<PatternDetail>, IRequirePermission
{
    public static string Permission => Permissions.Recall;
}

public sealed record PatternEvaluation(double Overall, string Feedback, double Timestamp);

public sealed record PatternDetail(
    string PatternKey,
    string Task,
    JsonObject Design,
    double SuccessScore,
    int ReuseCount,
    double Timestamp,
    string Classification,
    string? Source,
    string? AuthorKeyId,
    IReadOnlyList<PatternEvaluation> Evaluations);

public sealed class GetPatternHandler(IApplicationDbContext db, IRequestContext context) : IQueryHandler<GetPatternQuery, PatternDetail>
{
    public async ValueTask<PatternDetail> Handle(GetPatternQuery query, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var pattern = await db.Patterns.AsNoTracking()
            .InScope(scope).FirstOrDefaultAsync(p => p.Key == query.PatternKey, cancellationToken)
            ?? throw new NotFoundException("Pattern not found.");
        var evals = await db.EvalRecords.AsNoTracking()
            .InScope(scope).Where(e => e.AgentName == query.PatternKey)
            .OrderByDescending(e => e.Id)
            .Select(e => new PatternEvaluation(e.Overall, e.Feedback, e.Timestamp))
            .ToListAsync(cancellationToken);
        return new PatternDetail(
            pattern.Key,
            pattern.Task,
            Common.PatternJson.DesignObject(pattern.Design),
            pattern.SuccessScore,
            pattern.ReuseCount,
            pattern.Timestamp,
            pattern.Classification,
            pattern.Source,
            pattern.AuthorKeyId,
            evals);
    }
}
