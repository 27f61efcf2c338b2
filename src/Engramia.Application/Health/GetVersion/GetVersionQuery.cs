using Engramia.Application.Common.Interfaces;
using Mediator;

namespace Engramia.Application.Health.GetVersion;

public sealed record GetVersionQuery : IQuery<VersionInfo>;

public sealed record VersionInfo(string AppVersion, string ApiVersion, string GitCommit, string BuildTime);

public sealed class GetVersionHandler(IBuildInfo build) : IQueryHandler<GetVersionQuery, VersionInfo>
{
    public ValueTask<VersionInfo> Handle(GetVersionQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new VersionInfo(build.AppVersion, "v1", build.GitCommit, build.BuildTime));
}
