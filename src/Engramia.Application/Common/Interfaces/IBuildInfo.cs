namespace Engramia.Application.Common.Interfaces;

/// <summary>Facts stamped into the build and the process start time, for version and health.</summary>
public interface IBuildInfo
{
    string AppVersion { get; }
    string GitCommit { get; }
    string BuildTime { get; }
    DateTimeOffset StartedAt { get; }
    /// <summary><c>postgres</c> or <c>sqlite</c>.</summary>
    string StorageKind { get; }
}
