using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Engramia.Api.Tests.Architecture;

/// <summary>
/// The CLI is an entry point like HTTP: it sends commands through the mediator under the operator
/// principal and never reaches the database model itself (design: "no entry point touches the DbContext").
/// </summary>
public sealed class CliTests
{
    private static readonly string[] DatabaseModel =
    [
        "Engramia.Infrastructure.Persistence.EngramiaDbContext",
        "Engramia.Application.Common.Interfaces.IApplicationDbContext",
        "Microsoft.EntityFrameworkCore.DbContext",
        "Microsoft.EntityFrameworkCore.DbSet`1",
    ];

    [Test]
    public void Cli_sends_commands_and_never_touches_the_database_model()
    {
        using var api = ModuleDefinition.ReadModule(typeof(Program).Assembly.Location);
        var offenders = api.GetTypes()
            .Where(t => Outermost(t).Namespace.StartsWith("Engramia.Api.Cli", StringComparison.Ordinal))
            .SelectMany(t => References(t).Where(r => DatabaseModel.Contains(r)).Select(r => $"{t.FullName} uses {r}"))
            .Distinct()
            .ToList();

        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void The_reference_scan_sees_a_database_model_use_inside_async_code()
    {
        // Guards the test above against passing vacuously: the job worker's principal resolver reads keys.
        using var infrastructure = ModuleDefinition.ReadModule(typeof(Engramia.Infrastructure.DependencyInjection).Assembly.Location);
        var resolver = infrastructure.GetTypes().Where(t => Outermost(t).Name == "JobPrincipalResolver");

        Assert.That(resolver.SelectMany(References), Has.Some.AnyOf(DatabaseModel));
    }

    private static TypeDefinition Outermost(TypeDefinition type) => type.DeclaringType is null ? type : Outermost(type.DeclaringType);

    /// <summary>Every type a type's fields, signatures, locals and instructions name (generic arguments included).</summary>
    private static IEnumerable<string> References(TypeDefinition type)
    {
        var types = new List<TypeReference>();
        types.AddRange(type.Fields.Select(f => f.FieldType));
        foreach (var method in type.Methods)
        {
            types.AddRange(method.Parameters.Select(p => p.ParameterType));
            if (method.HasBody)
            {
                types.AddRange(method.Body.Variables.Select(v => v.VariableType));
                types.AddRange(method.Body.Instructions.SelectMany(Operand));
            }
        }

        return types.SelectMany(Names);
    }

    private static IEnumerable<TypeReference> Operand(Instruction instruction) => instruction.Operand switch
    {
        GenericInstanceMethod generic => generic.GenericArguments.Append(generic.DeclaringType).Append(generic.ReturnType),
        MethodReference method => [method.DeclaringType, method.ReturnType],
        FieldReference field => [field.DeclaringType, field.FieldType],
        TypeReference typeReference => [typeReference],
        _ => [],
    };

    /// <summary>A type's full name (open for generics, <c>DbSet`1</c>) and those of its generic arguments.</summary>
    private static IEnumerable<string> Names(TypeReference type) => type is GenericInstanceType generic
        ? generic.GenericArguments.SelectMany(Names).Prepend(generic.ElementType.FullName)
        : [type.FullName];
}
