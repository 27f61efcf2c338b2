using Engramia.Bench;

// Commands: seed | floors | load | rss. Each prints one JSON line on stdout for bench/run.sh to collect.
return args.Length == 0 ? Usage() : args[0] switch
{
    "seed" => await Seeder.RunAsync(Args.Parse(args[1..])),
    "floors" => await Floors.RunAsync(Args.Parse(args[1..])),
    "load" => await LoadDriver.RunAsync(Args.Parse(args[1..])),
    "ann-recall" => await AnnRecall.RunAsync(Args.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Engramia.Bench seed|floors|load --key value …");
    return 2;
}
