# Which open rules matter: exposure from network interfaces and route tables.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $open = { param($id) New-TestGroup $id -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 22 22 '::/0' 'ssh6')) }
    Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{
        groups = @((& $open sg-0a01), (& $open sg-0a02), (& $open sg-0a03), (& $open sg-0a04), (& $open sg-0a05), (& $open sg-0a06))
        networkInterfaces = @(
            # sg-0a01 carries nothing.
            @{ networkInterfaceId = 'eni-private'; subnetId = 'subnet-private'; instanceId = 'i-private'; groups = @('sg-0a02') }
            @{ networkInterfaceId = 'eni-public'; subnetId = 'subnet-public'; instanceId = 'i-web'; publicIp = '198.51.100.10'; groups = @('sg-0a03') }
            @{ networkInterfaceId = 'eni-v6'; subnetId = 'subnet-public'; instanceId = 'i-v6'; ipv6Addresses = @('2001:db8::10'); groups = @('sg-0a04') }
            @{ networkInterfaceId = 'eni-alb'; subnetId = 'subnet-private'; interfaceType = 'interface'; description = 'ELB app/web/50dc6c495c0c9188'; publicIp = '198.51.100.20'; groups = @('sg-0a05') }
            # A group used by an interface of another VPC (security-group VPC associations).
            @{ networkInterfaceId = 'eni-other-vpc'; vpcId = 'vpc-2'; subnetId = 'subnet-2'; instanceId = 'i-other'; publicIp = '198.51.100.30'; groups = @('sg-0a06', 'sg-0a02') }
        )
        routeTables = @(
            @{ routeTableId = 'rtb-main'; main = $true; routes = @{ '0.0.0.0/0' = 'nat-0123'; '::/0' = 'eigw-0123' } }
            @{ routeTableId = 'rtb-public'; subnets = @('subnet-public'); routes = @{ '0.0.0.0/0' = 'igw-0123'; '::/0' = 'igw-0123' } }
            @{ routeTableId = 'rtb-vpc2'; vpcId = 'vpc-2'; main = $true; routes = @{ '0.0.0.0/0' = 'igw-0456' } }
        )
    } } }
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'Get-OpenIngressRule -IncludeExposure' {
    It 'says, per rule and address family, whether what carries the group is reachable from the internet, in a few calls' {
        Reset-TestCalls $script:Ec2
        $r = @(Get-OpenIngressRule @script:Conn -IncludeExposure)
        $exposure = @{}
        foreach ($x in $r) { $exposure["$($x.GroupId) $($x.Cidr)"] = "$($x.Exposure)" }
        $exposure['sg-0a01 0.0.0.0/0'] | Should -Be 'Unattached'
        $exposure['sg-0a02 0.0.0.0/0'] | Should -Be 'Public'      # via the other VPC's public interface
        $exposure['sg-0a02 ::/0'] | Should -Be 'Private'
        $exposure['sg-0a03 0.0.0.0/0'] | Should -Be 'Public'
        $exposure['sg-0a03 ::/0'] | Should -Be 'Private'           # no IPv6 address
        $exposure['sg-0a04 0.0.0.0/0'] | Should -Be 'Private'      # no public IPv4 address
        $exposure['sg-0a04 ::/0'] | Should -Be 'Public'
        $exposure['sg-0a05 0.0.0.0/0'] | Should -Be 'Public'       # internet-facing load balancer
        $exposure['sg-0a06 0.0.0.0/0'] | Should -Be 'Public'
        ($r | Where-Object GroupId -eq sg-0a02 | Select-Object -First 1).NetworkInterfaceCount | Should -Be 2
        ($r | Where-Object GroupId -eq sg-0a02 | Select-Object -First 1).AttachedTo | Should -Be @('i-other', 'i-private')
        ($r | Where-Object GroupId -eq sg-0a05 | Select-Object -First 1).AttachedTo | Should -Be @('elb:app/web/50dc6c495c0c9188')
        @(Get-TestCalls $script:Ec2 DescribeNetworkInterfaces).Count | Should -Be 1
        @(Get-TestCalls $script:Ec2 DescribeRouteTables).Count | Should -Be 1
        # Interfaces are looked up by group, not by the group's VPC.
        (Get-TestCalls $script:Ec2 DescribeNetworkInterfaces)[0].Parameters.'Filter.1.Name' | Should -Be 'group-id'
    }

    It '-Exposure filters' {
        $public = @(Get-OpenIngressRule @script:Conn -Exposure Public)
        $public | ForEach-Object { "$($_.Exposure)" | Should -Be 'Public' }
        $public.Count | Should -Be 6
        @(Get-OpenIngressRule @script:Conn -Exposure Unattached).GroupId | Sort-Object -Unique | Should -Be 'sg-0a01'
    }

    It 'without it, no exposure call is made' {
        Reset-TestCalls $script:Ec2
        $r = @(Get-OpenIngressRule @script:Conn)
        $r[0].Exposure | Should -BeNullOrEmpty
        @(Get-TestCalls $script:Ec2 DescribeNetworkInterfaces).Count | Should -Be 0
    }
}

Describe 'Get-OpenIngressRule -Path with network exports (offline exposure)' {
    BeforeAll {
        $world = Get-TestWorld $script:Ec2
        $region = $world.regions.'us-east-1'
        $script:GroupsFile = Join-Path $TestDrive 'groups.json'
        @{ SecurityGroups = @($region.groups | ForEach-Object {
            @{ GroupId = $_.groupId; GroupName = $_.groupId; OwnerId = '123456789012'; VpcId = 'vpc-1'; Description = 'test'
               IpPermissions = @(@{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22
                                    IpRanges = @(@{ CidrIp = '0.0.0.0/0'; Description = 'ssh' }); Ipv6Ranges = @(@{ CidrIpv6 = '::/0'; Description = 'ssh6' })
                                    PrefixListIds = @(); UserIdGroupPairs = @() }) }
        }) } | ConvertTo-Json -Depth 8 | Set-Content $script:GroupsFile
        $script:InterfacesFile = Join-Path $TestDrive 'interfaces.json'
        $script:TablesFile = Join-Path $TestDrive 'route-tables.json'
        $interfaces, $tables = Export-TestNetwork $script:Ec2 us-east-1 $script:InterfacesFile $script:TablesFile
        # As ConvertTo-Json writes AWS.Tools objects: a bare list, enum-like values as { Value = ... }.
        $script:ToolsInterfacesFile = Join-Path $TestDrive 'tools-interfaces.json'
        $script:ToolsTablesFile = Join-Path $TestDrive 'tools-route-tables.json'
        ConvertTo-Json -Depth 8 -InputObject @($interfaces | ForEach-Object { $x = [ordered]@{} + $_; $x.InterfaceType = @{ Value = $_.InterfaceType }; $x }) | Set-Content $script:ToolsInterfacesFile
        ConvertTo-Json -Depth 8 -InputObject @($tables) | Set-Content $script:ToolsTablesFile
        $script:Live = @(Get-OpenIngressRule @script:Conn -IncludeExposure | ForEach-Object { "$($_.GroupId) $($_.Cidr) $($_.Exposure) $($_.NetworkInterfaceCount) $($_.AttachedTo -join ',')" } | Sort-Object)
    }

    It 'judges exposure from the saved exports exactly as it does live' {
        $offline = @(Get-OpenIngressRule -Path $script:GroupsFile -Region us-east-1 -NetworkInterfacePath $script:InterfacesFile -RouteTablePath $script:TablesFile |
            ForEach-Object { "$($_.GroupId) $($_.Cidr) $($_.Exposure) $($_.NetworkInterfaceCount) $($_.AttachedTo -join ',')" } | Sort-Object)
        $offline.Count | Should -Be 12
        $offline | Should -Be $script:Live
    }

    It 'reads AWS.Tools exports too, and -Exposure filters' {
        $public = @(Get-OpenIngressRule -Path $script:GroupsFile -Region us-east-1 -Exposure Public -NetworkInterfacePath $script:ToolsInterfacesFile -RouteTablePath $script:ToolsTablesFile)
        $public.Count | Should -Be 6
        $public | ForEach-Object { "$($_.Exposure)" | Should -Be 'Public' }
    }

    It 'needs both exports, and says which; a file that is not an export is an error naming it' {
        { Get-OpenIngressRule -Path $script:GroupsFile -IncludeExposure -NetworkInterfacePath $script:InterfacesFile } |
            Should -Throw -ErrorId 'ExposureNeedsNetwork,SgNarrower.Commands.GetOpenIngressRuleCommand' -ExpectedMessage '*-RouteTablePath*'
        { Get-OpenIngressRule -Path $script:GroupsFile -IncludeExposure -NetworkInterfacePath $script:GroupsFile -RouteTablePath $script:TablesFile } |
            Should -Throw -ErrorId 'InvalidNetworkFile,SgNarrower.Commands.GetOpenIngressRuleCommand' -ExpectedMessage '*groups.json*NetworkInterfaces*'
    }
}
