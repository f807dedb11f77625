from userpool.cli import main

main()
