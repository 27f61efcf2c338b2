using Engramia.Api;
using Engramia.Api.Authentication;
using Engramia.Api.Authentication.Oidc;
using Engramia.Api.Cli;
using Engramia.Api.Hosting;
using Engramia.Api.Mcp;
using Engramia.Api.Operations;
using Engramia.Application;
using Engramia.Infrastructure;
using Engramia.Infrastructure.Configuration;

// One binary: `db …` / `keys …` run the operator CLI and exit; anything else serves HTTP.
if (CliApp.Handles(args))
{
    return await CliApp.RunAsync(args);
}

try
{
    var builder = WebApplication.CreateBuilder(args);
    LoggingDefaults.Apply(builder);
    ListenAddress.Apply(builder);
    var auth = new AuthSettings(builder.Configuration, DeploymentEnvironment.From(builder.Configuration));
    if (auth.StartupRefusal() is { } refusal)
    {
        await Console.Error.WriteLineAsync(refusal);
        return 1;
    }

    builder.AddOperations();
    builder.Services
        .AddApplication()
        .AddInfrastructure(builder.Configuration)
        .AddApi()
        .AddOidcSignIn(auth)
        .AddEngramiaMcp(builder.Configuration);

    var app = builder.Build();
    app.Services.ValidateSettings();
    await EmbeddedDatabase.PrepareAsync(app.Services);

    app.UseOperationsEdge();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseOperationsGates();
    app.MapApiReference();
    app.UseJsonContentTypeDefault();
    app.UseMiddleware<ApiKeyAuthenticationMiddleware>();
    app.MapControllers();
    app.MapEngramiaMcp();
    app.MapOperationsEndpoints();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (EnvironmentOptions.Describe(ex) is { } message)
{
    await Console.Error.WriteLineAsync($"FATAL: invalid configuration: {message}");
    return 1;
}

/// <summary>Entry point type, public for <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
