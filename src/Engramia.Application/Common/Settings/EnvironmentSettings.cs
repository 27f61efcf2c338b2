namespace Engramia.Application.Common.Settings;

/// <summary>
/// Settings read from <c>ENGRAMIA_*</c> variables through the options pattern. A value that does not
/// parse leaves its default in place and its message, naming the variable, in <see cref="Invalid"/>;
/// the options validator then stops start-up listing every bad variable at once.
/// </summary>
public abstract class EnvironmentSettings
{
    public List<string> Invalid { get; } = [];
}
