from parleak.cli import main

main()
