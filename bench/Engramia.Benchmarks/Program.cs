using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Engramia.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Engramia.Benchmarks.RankingBenchmarks).Assembly).Run(args);
