"""Datasets the clearinghouse ships with, loaded through each app's services."""
