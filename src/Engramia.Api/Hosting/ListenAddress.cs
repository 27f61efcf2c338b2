using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Hosting;

/// <summary>
/// <c>ENGRAMIA_HOST</c>/<c>ENGRAMIA_PORT</c> (default 127.0.0.1:8000 from source, 0.0.0.0:8000 in a
/// container). <c>ASPNETCORE_URLS</c> or <c>--urls</c>, when given, win.
/// </summary>
public static class ListenAddress
{
    public static void Apply(WebApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration["urls"]) || !string.IsNullOrWhiteSpace(builder.Configuration["ASPNETCORE_URLS"]))
        {
            return;
        }

        var inContainer = string.Equals(builder.Configuration["DOTNET_RUNNING_IN_CONTAINER"], "true", StringComparison.OrdinalIgnoreCase);
        var host = builder.Configuration.Text("ENGRAMIA_HOST") ?? (inContainer ? "0.0.0.0" : "127.0.0.1");
        var port = builder.Configuration.Int("ENGRAMIA_PORT", 8000, 0, 65535);
        builder.WebHost.UseUrls($"http://{host}:{port}");
    }
}
