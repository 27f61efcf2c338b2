using Engramia.Application.Common.Settings;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Configuration;

/// <summary>
/// The <see cref="EnvSettings"/> reads for filling one <see cref="EnvironmentSettings"/>: a value that
/// does not parse is recorded in the settings' <see cref="EnvironmentSettings.Invalid"/> and the
/// fallback is returned, so every bad variable is reported together when the options are validated.
/// </summary>
public sealed class SettingsReader(IConfiguration configuration, EnvironmentSettings target)
{
    /// <summary><c>ENGRAMIA_ENV</c>, for defaults that differ in production.</summary>
    public DeploymentEnvironment Deployment => DeploymentEnvironment.From(configuration);

    public string? Text(string name) => configuration.Text(name);

    public bool Flag(string name, bool fallback = false) => configuration.Flag(name, fallback);

    public bool StrictFlag(string name) => configuration.StrictFlag(name);

    public bool DefaultOnFlag(string name) => configuration.DefaultOnFlag(name);

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Read(c => c.Int(name, fallback, min, max), fallback);

    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue) =>
        Read(c => c.Double(name, fallback, min, max), fallback);

    /// <summary>Any other read that throws <see cref="InvalidSettingException"/> for a bad value.</summary>
    public T Read<T>(Func<IConfiguration, T> read, T fallback)
    {
        try
        {
            return read(configuration);
        }
        catch (InvalidSettingException ex)
        {
            target.Invalid.Add(ex.Message);
            return fallback;
        }
    }
}
