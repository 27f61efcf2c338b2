using System.Data.Common;
using System.Text.Json;
using Engramia.Application.Common.Context;
using Engramia.Domain.Common;
using Engramia.Infrastructure.Configuration;
using Mediator;

namespace Engramia.Api.Cli;

/// <summary>
/// How every CLI command reaches the application: a fresh unit of work per message, the operator
/// principal in the scope the command names, and the same mediator pipeline as HTTP (authorization,
/// validation, quotas, audit). The CLI never touches the DbContext itself.
/// </summary>
internal sealed class OperatorSession(IServiceProvider services)
{
    /// <summary>Who acts, as audit rows and the maintenance switch record it.</summary>
    public static string Name { get; } = "cli:" + System.Environment.UserName;

    /// <summary><c>ENGRAMIA_ENV</c> (for example to choose Stripe's test or live dashboard links).</summary>
    public DeploymentEnvironment Environment => services.GetRequiredService<DeploymentEnvironment>();

    public async Task<T> SendAsync<T>(Scope scope, ICommand<T> command, CancellationToken cancellationToken)
    {
        await using var unit = Open(scope);
        return await unit.ServiceProvider.GetRequiredService<ISender>().Send(command, cancellationToken);
    }

    public async Task<T> SendAsync<T>(Scope scope, IQuery<T> query, CancellationToken cancellationToken)
    {
        await using var unit = Open(scope);
        return await unit.ServiceProvider.GetRequiredService<ISender>().Send(query, cancellationToken);
    }

    /// <summary>Sends a query whose answer is read lazily, keeping its unit of work open until <paramref name="consume"/> is done.</summary>
    public async Task<int> StreamAsync<T>(Scope scope, IQuery<IAsyncEnumerable<T>> query, Func<IAsyncEnumerable<T>, Task<int>> consume, CancellationToken cancellationToken)
    {
        await using var unit = Open(scope);
        var items = await unit.ServiceProvider.GetRequiredService<ISender>().Send(query, cancellationToken);
        return await consume(items);
    }

    /// <summary>The wire JSON rules of the HTTP API, for commands that print records.</summary>
    public static JsonSerializerOptions WireJson { get; } = CreateWireJson();

    private static JsonSerializerOptions CreateWireJson()
    {
        var json = new JsonSerializerOptions();
        DependencyInjection.ConfigureJson(json);
        return json;
    }

    /// <summary>
    /// Runs one CLI action on its own service provider. Expected failures print <c>error: …</c> on
    /// stderr (a validation failure names the option) and exit 1.
    /// </summary>
    public static async Task<int> RunAsync(Func<ServiceProvider> build, Func<OperatorSession, TextWriter, Task<int>> action)
    {
        await using var provider = build();
        try
        {
            return await action(new OperatorSession(provider), Console.Out);
        }
        catch (DomainValidationException ex)
        {
            foreach (var issue in ex.Issues)
            {
                await Console.Error.WriteLineAsync($"error: --{issue.Loc[^1].Replace('_', '-')}: {issue.Msg}");
            }

            return 1;
        }
        catch (EngramiaException ex)
        {
            return Fail(ex.Message);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException || ex.InnerException is DbException)
        {
            return Fail($"database operation failed: {ex.Message}");
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }

    private AsyncServiceScope Open(Scope scope)
    {
        var unit = services.CreateAsyncScope();
        unit.ServiceProvider.GetRequiredService<RequestContext>().SetOperator(scope, Name);
        return unit;
    }
}
