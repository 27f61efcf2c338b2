using System.Diagnostics;

namespace Engramia.Application.Common.Observability;

/// <summary>
/// The service's own trace source: spans for learn, recall, evaluate, job runs and provider calls.
/// Exported (with ASP.NET Core's and EF Core's spans) when <c>ENGRAMIA_TELEMETRY=true</c>; without a
/// listener <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs nothing.
/// </summary>
public static class EngramiaTracing
{
    public const string SourceName = "Engramia";

    /// <summary>Npgsql's built-in activity source: one span per database command.</summary>
    public const string NpgsqlSourceName = "Npgsql";

    public static readonly ActivitySource Source = new(SourceName);
}
