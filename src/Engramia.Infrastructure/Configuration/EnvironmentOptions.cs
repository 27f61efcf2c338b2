using Engramia.Application.Common.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engramia.Infrastructure.Configuration;

/// <summary>
/// Registers settings read from <c>ENGRAMIA_*</c> variables as options: filled by <c>read</c>,
/// validated when first resolved and at start-up (<c>ValidateOnStart</c>), and injectable as the
/// settings object itself. A bad value fails validation with a message naming its variable.
/// </summary>
public static class EnvironmentOptions
{
    public static OptionsBuilder<T> AddEnvironmentSettings<T>(this IServiceCollection services, IConfiguration configuration, Action<T, SettingsReader> read)
        where T : EnvironmentSettings
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, ReadErrorsValidator<T>>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services.AddOptions<T>()
            .Configure(settings => read(settings, new SettingsReader(configuration, settings)))
            .ValidateOnStart();
    }

    /// <summary>The settings as they would be registered, for decisions taken while the services are composed.</summary>
    public static T ReadNow<T>(IConfiguration configuration, Action<T, SettingsReader> read)
        where T : EnvironmentSettings, new()
    {
        var settings = new T();
        read(settings, new SettingsReader(configuration, settings));
        return settings;
    }

    /// <summary>
    /// Runs every <c>ValidateOnStart</c> validator now: a bad setting stops the process before it
    /// prepares its database (the host itself would check only when it starts), and the CLI, which has
    /// no host, checks the same settings.
    /// </summary>
    public static void ValidateSettings(this IServiceProvider services) => services.GetService<IStartupValidator>()?.Validate();

    /// <summary>
    /// The FATAL line's text when start-up failed on configuration: an invalid setting, one options
    /// validation, or several (<c>ValidateOnStart</c> aggregates them); null for any other failure.
    /// </summary>
    public static string? Describe(Exception exception) => exception switch
    {
        OptionsValidationException invalid => string.Join(Environment.NewLine, invalid.Failures),
        InvalidSettingException setting => setting.Message,
        AggregateException { InnerExceptions: var inner } when inner.Count > 0 && inner.All(e => Describe(e) is not null) =>
            string.Join(Environment.NewLine, inner.Select(e => Describe(e))),
        _ => null,
    };

    private sealed class ReadErrorsValidator<T> : IValidateOptions<T>
        where T : EnvironmentSettings
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            options.Invalid.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Invalid);
    }
}
