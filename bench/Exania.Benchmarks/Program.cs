using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Exania.Benchmarks.CsvReadBenchmarks).Assembly).Run(args);
