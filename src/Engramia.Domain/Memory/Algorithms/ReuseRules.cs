using System.Linq.Expressions;

namespace Engramia.Domain.Memory.Algorithms;

/// <summary>
/// Recall's reuse boost as expressions, written once: the set-based UPDATE translates them to SQL
/// (<see cref="On{T,TValue}"/>) and <see cref="Scoring"/> runs them compiled in memory, so the two can
/// never drift apart.
/// </summary>
public static class ReuseRules
{
    /// <summary>Score after one reuse: +0.1, capped at 10 (no rounding).</summary>
    public static readonly Expression<Func<double, double>> BoostScore =
        s => s + MemoryConstants.ReuseBoost > MemoryConstants.MaxScore ? MemoryConstants.MaxScore : s + MemoryConstants.ReuseBoost;

    /// <summary>Reuse count after one reuse: +1, saturating at <see cref="PatternBounds.MaxReuseCount"/>.</summary>
    public static readonly Expression<Func<int, int>> BoostCount =
        c => c >= PatternBounds.MaxReuseCount ? PatternBounds.MaxReuseCount : c + 1;

    /// <summary>The rule applied to a column of <typeparamref name="T"/> (for <c>SetProperty(column, On(rule, column))</c>).</summary>
    public static Expression<Func<T, TValue>> On<T, TValue>(Expression<Func<TValue, TValue>> rule, Expression<Func<T, TValue>> column) =>
        Expression.Lambda<Func<T, TValue>>(new Substitute(rule.Parameters[0], column.Body).Visit(rule.Body), column.Parameters);

    private sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
