using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Common;

/// <summary>The scope's pattern count as the triggers keep it: one primary-key read, whatever the scope's size.</summary>
public static class PatternCounts
{
    public static async Task<int> OfAsync(IApplicationDbContext db, Scope scope, CancellationToken cancellationToken) =>
        await db.PatternCounts.AsNoTracking().InScope(scope).Select(c => (int?)c.Patterns).FirstOrDefaultAsync(cancellationToken) ?? 0;
}
