namespace Engramia.Api.Hosting;

/// <summary>
/// The log levels an operator relies on, in code rather than in an <c>appsettings.json</c> that the
/// host looks for in the working directory: started from anywhere else, the service would log every
/// SQL command at Information. They sit below every other source, so <c>Logging__LogLevel__…</c>
/// variables (or an appsettings file an operator adds) still override them.
/// </summary>
public static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Levels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    };

    public static void Apply(WebApplicationBuilder builder) =>
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Levels });
}
