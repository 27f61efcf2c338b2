namespace Engramia.Domain.Operations;

/// <summary>
/// A run-time switch shared by every replica through the database (for example maintenance mode),
/// so operators can flip it without a restart.
/// </summary>
public sealed class ServiceFlag
{
    public const string Maintenance = "maintenance";

    public required string Name { get; init; }
    public required string Value { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
