namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// Whether the service is in maintenance: the <c>ENGRAMIA_MAINTENANCE</c> variable (read per request)
/// or the run-time switch in <c>service_flags</c> that every replica polls.
/// </summary>
public interface IMaintenanceState
{
    bool EnvironmentOn { get; }

    /// <summary>The shared switch as this replica last read (or wrote) it.</summary>
    bool SwitchOn { get; }

    bool IsOn => EnvironmentOn || SwitchOn;

    /// <summary>Records what this replica just read from or wrote to the database.</summary>
    void Observe(bool switchOn);
}
