using System.Reflection;
using Engramia.Application.Common.Interfaces;
using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Engramia.Api.Hosting;

/// <summary>
/// Version facts: <c>app_version</c> from the assembly; <c>git_commit</c> and <c>build_time</c> from
/// <c>GIT_COMMIT</c>/<c>BUILD_TIME</c> when set (container builds), else what the build stamped.
/// </summary>
public sealed class BuildInfo(IConfiguration configuration, IOptions<StorageOptions> storage, TimeProvider clock) : IBuildInfo
{
    private static readonly Assembly Self = typeof(BuildInfo).Assembly;

    public string AppVersion { get; } = Self.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0+dev";

    public string GitCommit { get; } = configuration.Text("GIT_COMMIT") ?? Stamped("GitCommit") ?? "unknown";

    public string BuildTime { get; } = configuration.Text("BUILD_TIME") ?? Stamped("BuildTime") ?? "unknown";

    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();

    public string StorageKind => storage.Value.KindName;

    private static string? Stamped(string key)
    {
        var value = Self.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
