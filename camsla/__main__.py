from camsla.cli import main

main()
