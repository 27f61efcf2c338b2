using System.Collections.Frozen;
using System.Reflection;

namespace Engramia.Application.Jobs.Async;

/// <summary>Operation name ↔ command type, found from <see cref="AsyncCapableAttribute"/> on the Application's commands.</summary>
public sealed class JobOperationRegistry
{
    private readonly FrozenDictionary<string, Type> _byOperation;
    private readonly FrozenDictionary<Type, string> _byType;

    public JobOperationRegistry(IEnumerable<Assembly> assemblies)
    {
        var pairs = assemblies
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<AsyncCapableAttribute>()))
            .Where(p => p.Attribute is not null)
            .ToList();
        var duplicate = pairs.GroupBy(p => p.Attribute!.Operation).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Job operation '{duplicate.Key}' is declared by more than one command: {string.Join(", ", duplicate.Select(p => p.Type.Name))}.");
        }

        _byOperation = pairs.ToFrozenDictionary(p => p.Attribute!.Operation, p => p.Type, StringComparer.Ordinal);
        _byType = pairs.ToFrozenDictionary(p => p.Type, p => p.Attribute!.Operation);
    }

    /// <summary>The registry of the Application assembly's async-capable commands.</summary>
    public static JobOperationRegistry ForApplication() => new([typeof(JobOperationRegistry).Assembly]);

    public IReadOnlyCollection<string> Operations => _byOperation.Keys;

    public bool TryGetOperation(Type commandType, out string operation) => _byType.TryGetValue(commandType, out operation!);

    public bool TryGetCommandType(string operation, out Type commandType) => _byOperation.TryGetValue(operation, out commandType!);
}
