using Eddy.Cli;

return await EddyCommand.Create().Parse(args).InvokeAsync();
