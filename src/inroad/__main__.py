from inroad.cli import main

main()
