namespace Engramia.Domain.Tenancy;

/// <summary>API key roles, lowest to highest. Anything else grants nothing.</summary>
public enum Role
{
    Reader = 1,
    Editor = 2,
    Admin = 3,
    Owner = 4,
}

public static class Roles
{
    public static string ToWire(this Role role) => role switch
    {
        Role.Reader => "reader",
        Role.Editor => "editor",
        Role.Admin => "admin",
        Role.Owner => "owner",
        _ => "none",
    };

    /// <summary>One of the four roles (a stored value this code does not know reads as none of them).</summary>
    public static bool IsKnown(this Role role) => Enum.IsDefined(role);

    /// <summary>A stored role: an unknown value becomes a role that grants nothing (<see cref="IsKnown"/> is false).</summary>
    public static Role FromStored(string value) => TryParse(value, out var role) ? role : default;

    public static bool TryParse(string? value, out Role role)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "reader": role = Role.Reader; return true;
            case "editor": role = Role.Editor; return true;
            case "admin": role = Role.Admin; return true;
            case "owner": role = Role.Owner; return true;
            default: role = default; return false;
        }
    }
}
