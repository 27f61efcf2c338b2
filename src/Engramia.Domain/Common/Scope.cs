namespace Engramia.Domain.Common;

/// <summary>The tenant/project pair that confines every read and write of the memory core.</summary>
public readonly record struct Scope(string TenantId, string ProjectId)
{
    public const string DefaultId = "default";

    public static Scope Default { get; } = new(DefaultId, DefaultId);

    public override string ToString() => $"{TenantId}/{ProjectId}";
}
